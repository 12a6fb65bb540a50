/** The {@code bpfkv} command: create, query, inspect and benchmark BPF-KV databases. */
// "requires-automatic": HdrHistogram publishes no module name (its jar's file name gives HdrHistogram).
@SuppressWarnings("requires-automatic")
module io.jxrp.bpfkv.cli {
    requires io.jxrp.bpfkv;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires HdrHistogram;
    requires tools.jackson.databind;

    // picocli sets the annotated option fields and calls the command classes reflectively
    opens io.jxrp.bpfkv.cli to info.picocli;
}
