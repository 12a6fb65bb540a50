/**
 * The resubmission engine: storage functions over the XRP context, reactors, backends and metadata
 * digests. Exports its current packages; which of them are API is settled with the engine's
 * refactoring.
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
    exports io.jxrp.engine.chain;
    exports io.jxrp.engine.digest;
}
