/**
 * The resubmission engine: storage functions over the XRP context, reactors, backends and metadata
 * digests. API: {@code io.jxrp.engine} (engine, targets, requests, results, {@code FunctionRunner}),
 * {@code .backend} (the backend SPI, for custom backends and fault injectors), {@code .digest}
 * (metadata digests, as targets expose them) and {@code .bpf} (eBPF programs as storage functions).
 * {@code io.jxrp.engine.chain} (the dependent-read chain file used by the tests and benchmarks) is
 * not exported.
 */
// "requires-automatic", "requires-transitive-automatic": HdrHistogram publishes no module name (its
// jar's file name gives the automatic module HdrHistogram), and EngineStats hands out its histograms.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.jxrp.engine {
    requires transitive io.jxrp.ebpf;
    requires io.jxrp.nvme;
    requires java.management;
    // DirectIo looks com.sun.nio.file.ExtendedOpenOption.DIRECT (O_DIRECT) up by name: requiring the
    // module keeps it in the graph when an application runs on the module path
    requires jdk.unsupported;
    requires org.slf4j;
    requires transitive HdrHistogram;

    exports io.jxrp.engine;
    exports io.jxrp.engine.backend;
    exports io.jxrp.engine.bpf;
    exports io.jxrp.engine.digest;
}
