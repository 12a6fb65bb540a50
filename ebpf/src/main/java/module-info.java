/**
 * jxrp's eBPF runtime: ELF/BTF loader, verifier, interpreter, JIT to JVM bytecode (one hidden class
 * per program, defined in this module's package), maps and helpers.
 */
module io.jxrp.ebpf {
    requires java.management;
    requires org.slf4j;

    exports io.jxrp.ebpf;
}
