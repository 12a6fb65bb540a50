package io.jxrp.ebpf;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** Shared plumbing of the contract tests: each subclass fixes the execution mode. */
abstract class VmTestSupport {
    abstract ExecutionMode mode();

    BpfMachine machine() {
        return new BpfMachine(mode());
    }

    static BpfProgram program(String asm, BpfMap... maps) {
        try {
            return BpfProgram.create("test", Asm.assemble(asm), List.of(maps));
        } catch (BpfLoadException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    long run(String asm, BpfMap... maps) {
        return machine().run(program(asm, maps), 0);
    }

    /** Runs with {@code memory} bound as DATA, r1 = its address, r2 = its length. */
    long run(String asm, byte[] memory, BpfMap... maps) {
        BpfMachine m = machine();
        m.bind(Region.DATA, MemorySegment.ofArray(memory));
        return m.run(program(asm, maps), m.address(Region.DATA), memory.length);
    }

    static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
