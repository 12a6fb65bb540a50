package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.RawDevices;
import io.jxrp.engine.TargetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
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

@Command(name = "copy", mixinStandardHelpOptions = true,
        header = "Copies a database file onto an NVMe namespace.",
        description = {"Copies a database file byte for byte onto an NVMe namespace, which then holds it from",
                "offset 0 (written through the engine, root block last, NVMe flush): e.g. a file made by create",
                "onto a malloc bdev, to read the same bytes with --backend spdk."})
final class CopyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the database file")
    Path file;

    @Parameters(index = "1", paramLabel = "NAMESPACE", description = "a raw block device (/dev/nvmeXnY, a partition) or spdk:<transport ID> [ns:N]")
    String target;

    @Option(names = "--force", description = "overwrite a namespace whose first block is not zero (it holds data)")
    boolean force;

    @Option(names = "--no-progress", description = "no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        Arguments.fileNotNamespace(spec, file, "copy reads a database file (copy a namespace's database to a file "
                + "with a namespace tool, e.g. spdk_dd)");
        TargetSpec namespace;
        try {
            namespace = TargetSpec.parse(target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!namespace.isSpdk() && !RawDevices.isBlockDevice(namespace.path())) {
            throw new ParameterException(spec.commandLine(), target + " is not a namespace (a raw block device, or "
                    + "spdk:<transport ID> [ns:N]); copy files with cp");
        }
        long size = Files.size(file);
        DbBuilder.Options options = DbBuilder.Options.defaults().withForce(force);
        DbBuilder.Result result;
        ProgressBar bar = Progress.bar(noProgress, "copy", size, " MiB", 1 << 20);
        if (bar == null) {
            result = DbBuilder.copy(file, namespace, options);
        } else {
            try (bar) {
                result = DbBuilder.copy(file, namespace, options.withProgress((done, total) -> bar.stepTo(done)));
            }
        }
        double seconds = result.elapsedNanos() / 1e9;
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("file", file.toString(), "namespace", namespace.toString(), "layers", result.layout().layers(),
                    "size_bytes", result.sizeBytes(), "seconds", seconds, "writes", result.writes().toString()));
            return 0;
        }
        System.out.printf(Locale.ROOT, "copied %s (%d layers, %,d bytes) onto %s in %.2f s (%.1f MiB/s, %s)%n", file,
                result.layout().layers(), result.sizeBytes(), namespace, seconds, result.sizeBytes() / seconds / (1 << 20),
                result.writes());
        return 0;
    }
}
