package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.format.TreeLayout;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Creates a database of L layers, byte-identical to the original BPF-KV's create:",
                "31^L keys, value of K = K in decimal right-aligned in 63 characters. Sizes: L=3 2.3 MiB,",
                "L=4 71.4 MiB, L=5 2.2 GiB, L=6 67 GiB. Written with large O_DIRECT writes, one fsync."})
final class CreateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "database file to create (on a disk file system, not tmpfs)")
    Path file;

    @Option(names = {"-l", "--layers"}, required = true, paramLabel = "L", description = "index layers, 1..6 sensible")
    int layers;

    @Option(names = "--force", description = "overwrite FILE if it exists")
    boolean force;

    @Option(names = "--buffer-mib", paramLabel = "N", defaultValue = "4", description = "size of each write buffer (default ${DEFAULT-VALUE} MiB)")
    int bufferMib;

    @Option(names = "--require-direct", description = "fail instead of writing through the page cache where O_DIRECT is missing")
    boolean requireDirect;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        TreeLayout layout = new TreeLayout(layers);
        if (!force && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString()); // before the progress bar is drawn
        }
        System.out.printf(Locale.ROOT, "creating %s: %d layers, %,d keys, %,d index nodes, %,d bytes%n", file, layers,
                layout.keyCount(), layout.totalNodes(), layout.fileSizeBytes());
        DbBuilder.Options options = DbBuilder.Options.defaults().withForce(force).withRequireDirect(requireDirect)
                .withBuffers(bufferMib << 20, 3);
        DbBuilder.Result result;
        if (noProgress) {
            result = DbBuilder.create(file, layers, options);
        } else {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("create").setInitialMax(layout.fileSizeBytes())
                    .setUnit(" MiB", 1 << 20).showSpeed().build()) {
                result = DbBuilder.create(file, layers, options.withProgress((done, total) -> bar.stepTo(done)));
            }
        }
        double seconds = result.elapsedNanos() / 1e9;
        System.out.printf(Locale.ROOT, "created %s in %.2f s (%.1f MiB/s, %s)%n", file, seconds,
                result.sizeBytes() / seconds / (1 << 20), result.writes());
        return 0;
    }
}
