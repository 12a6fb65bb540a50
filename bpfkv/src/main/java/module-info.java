/**
 * BPF-KV on jxrp: the {@link io.jxrp.bpfkv.BpfKv} API, the on-disk format, the storage functions
 * (Java and eBPF) and database creation. The operations' internals ({@code io.jxrp.bpfkv.ops}), the
 * whole-file checks ({@code io.jxrp.bpfkv.check}) and the load generator ({@code io.jxrp.bpfkv.load})
 * are exported only to the {@code bpfkv} command.
 */
// "module": the qualified exports name a module built after this one (not observable when it compiles).
// "requires-automatic": HdrHistogram publishes no module name (its jar's file name gives HdrHistogram).
@SuppressWarnings({"module", "requires-automatic"})
module io.jxrp.bpfkv {
    requires transitive io.jxrp.engine;
    requires transitive io.jxrp.ebpf;
    requires io.jxrp.nvme;
    requires java.management;
    requires jdk.management;
    requires org.slf4j;
    requires HdrHistogram;

    exports io.jxrp.bpfkv;
    exports io.jxrp.bpfkv.format;
    exports io.jxrp.bpfkv.function;
    exports io.jxrp.bpfkv.io;
    exports io.jxrp.bpfkv.ops to io.jxrp.bpfkv.cli;
    exports io.jxrp.bpfkv.check to io.jxrp.bpfkv.cli;
    exports io.jxrp.bpfkv.load to io.jxrp.bpfkv.cli;
    exports io.jxrp.bpfkv.store to io.jxrp.bpfkv.cli;
}
