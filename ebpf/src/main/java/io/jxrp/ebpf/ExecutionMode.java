package io.jxrp.ebpf;

/** How a {@link BpfMachine} executes programs. Both modes give identical results. */
public enum ExecutionMode {
    /** Decode and execute each instruction; no warm-up, slower. */
    INTERPRETER,
    /** Translate the program once into a hidden JVM class; HotSpot then compiles it. */
    JIT
}
