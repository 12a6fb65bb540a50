package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.RawDevices;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.engine.TargetSpec;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create", mixinStandardHelpOptions = true,
        header = "Creates a database in the original BPF-KV's format.",
        description = {"Creates a database of L layers, byte-identical to the original BPF-KV's create:",
                "31^L keys, value of K = K in decimal right-aligned in 63 characters. Sizes: L=3 2.3 MiB,",
                "L=4 71.4 MiB, L=5 2.2 GiB, L=6 67 GiB. Written with large O_DIRECT writes, one fsync, and",
                "the CRC32C of every block into FILE.crc32c (the checksum sidecar, which the original ignores).",
                "On an NVMe namespace (spdk:...) the database starts at offset 0, written through the engine",
                "(root block last, NVMe flush; no sidecar); a namespace whose first block is not zero needs --force."})
final class CreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DB", description = {"database file to create (on a disk file system, not tmpfs),",
            "or an NVMe namespace to write it onto: a raw block device (/dev/nvmeXnY, a partition) or",
            "spdk:<transport ID> [ns:N]"})
    String target;

    @Option(names = {"-l", "--layers"}, required = true, paramLabel = "L", description = "index layers, 1..10 (1..6 sensible)")
    int layers;

    @Option(names = "--force", description = "overwrite the file if it exists, or a namespace that holds data")
    boolean force;

    @Mixin
    WriteOptions write;

    @Option(names = "--no-checksums", description = "no checksum sidecar (FILE.crc32c)")
    boolean noChecksums;

    @Option(names = "--no-progress", description = "no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        Arguments.range(spec, "--layers", layers, 1, TreeLayout.MAX_LAYERS);
        DbBuilder.Options written = write.builderOptions();
        TargetSpec file;
        try {
            file = TargetSpec.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TreeLayout layout = new TreeLayout(layers);
        // a namespace (spdk: or a raw block device) holds the database from offset 0, without a sidecar
        boolean namespace = file.isSpdk() || RawDevices.isBlockDevice(file.path());
        DbBuilder.Options options = written.withForce(force).withChecksums(!noChecksums && !namespace);
        if (!namespace) {
            DbBuilder.check(file.path(), layers, options); // before anything is printed or drawn
        }
        if (!json.enabled) {
            System.out.printf(Locale.ROOT, "creating %s: %d %s, %,d keys, %,d index nodes, %,d bytes%n", file, layers,
                    layers == 1 ? "layer" : "layers", layout.keyCount(), layout.totalNodes(), layout.fileSizeBytes());
        }
        DbBuilder.Result result;
        ProgressBar bar = Progress.bar(noProgress, "create", layout.fileSizeBytes(), " MiB", 1 << 20);
        if (bar == null) {
            result = DbBuilder.create(file, layers, options);
        } else {
            try (bar) {
                result = DbBuilder.create(file, layers, options.withProgress((done, total) -> bar.stepTo(done)));
            }
        }
        double seconds = result.elapsedNanos() / 1e9;
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", file.toString(), "layers", layers, "keys", layout.keyCount(),
                    "index_nodes", layout.totalNodes(), "size_bytes", result.sizeBytes(), "seconds", seconds,
                    "mib_per_second", result.sizeBytes() / seconds / (1 << 20), "writes", result.writes().toString(),
                    "checksums", result.sidecar() == null ? null : result.sidecar().toString()));
            return 0;
        }
        System.out.printf(Locale.ROOT, "created %s in %.2f s (%.1f MiB/s, %s)%s%n", file, seconds,
                result.sizeBytes() / seconds / (1 << 20), result.writes(),
                result.sidecar() != null ? "; checksums in " + result.sidecar() : "");
        return 0;
    }
}
