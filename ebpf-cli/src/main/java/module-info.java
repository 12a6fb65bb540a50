/** The {@code jxrp-bpf} command: verify, disassemble and run eBPF programs. */
module io.jxrp.ebpf.cli {
    requires io.jxrp.ebpf;
    requires info.picocli;

    // picocli sets the annotated option fields and calls the command classes reflectively
    opens io.jxrp.ebpf.cli to info.picocli;
}
