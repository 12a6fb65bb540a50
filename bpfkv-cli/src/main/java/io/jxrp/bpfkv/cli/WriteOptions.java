package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.DbBuilder;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How a command writes a whole database file ({@code create}, {@code load}): write buffers and O_DIRECT. */
final class WriteOptions {
    /** Largest write buffer: DbBuilder's 1 GiB. */
    static final int MAX_BUFFER_MIB = DbBuilder.Options.MAX_BUFFER_BYTES >> 20;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--buffer-mib", paramLabel = "N", defaultValue = "4",
            description = "size of each write buffer, 1..1024 MiB (default ${DEFAULT-VALUE})")
    int bufferMib;

    @Option(names = "--require-direct", description = "fail instead of writing through the page cache where O_DIRECT is missing")
    boolean requireDirect;

    /** The builder's options these set (three buffers in flight); a buffer size out of range is a usage error. */
    DbBuilder.Options builderOptions() {
        Arguments.range(spec, "--buffer-mib", bufferMib, 1, MAX_BUFFER_MIB);
        return DbBuilder.Options.defaults().withRequireDirect(requireDirect).withBuffers(bufferMib << 20, 3);
    }
}
