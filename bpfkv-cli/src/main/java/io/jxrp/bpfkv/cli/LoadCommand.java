package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import io.jxrp.bpfkv.io.PairLines;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "load", mixinStandardHelpOptions = true,
        header = "Bulk-loads your own KEY<TAB>VALUE pairs into a new database.",
        description = {"Bulk-loads KEY<TAB>VALUE lines (any order) into a new database in the original's layout.",
                "KEY: unsigned 64-bit decimal, 0..18446744073709551614. VALUE: the rest of the line, UTF-8, up to",
                "64 bytes. A duplicate key: its last line wins (counted). A malformed line fails the load with its",
                "line number before anything is written; the file appears only once complete (O_DIRECT, one fsync)."})
final class LoadCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DB", description = "database file to create (on a disk file system, not tmpfs)")
    Path file;

    @Option(names = "--from", required = true, paramLabel = "FILE|-", description = "the pairs: a file, or - for standard input")
    String from;

    @Option(names = "--force", description = "replace DB if it exists")
    boolean force;

    @Mixin
    WriteOptions write;

    @Option(names = "--no-progress", description = "no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        DbBuilder.Options written = write.builderOptions();
        if (!force && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString());
        }
        DbBuilder.Options options = written.withForce(force);
        String source = from.equals("-") ? "<stdin>" : from;
        long start = System.nanoTime();
        DbLoader.Result result;
        try (BufferedReader reader = from.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16)
                : Files.newBufferedReader(Path.of(from), StandardCharsets.UTF_8)) {
            PairLines lines = new PairLines(reader, source);
            if (!Progress.shown(noProgress)) {
                result = DbLoader.load(file, lines, options);
            } else {
                ProgressBar[] bar = new ProgressBar[1]; // the file's size is known once the pairs are sorted
                try {
                    result = DbLoader.load(file, lines, options.withProgress((done, total) -> {
                        if (bar[0] == null) {
                            bar[0] = Progress.bar(false, "load", total, " MiB", 1 << 20);
                        }
                        bar[0].stepTo(done);
                    }));
                } finally {
                    if (bar[0] != null) {
                        bar[0].close();
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        DbBuilder.Result build = result.build();
        double writeSeconds = build.elapsedNanos() / 1e9;
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", file.toString(), "keys", build.layout().keyCount(),
                    "lines", result.pairsRead(), "duplicates", result.duplicates(), "layers", build.layout().layers(),
                    "size_bytes", build.sizeBytes(), "seconds", seconds, "write_seconds", writeSeconds,
                    "mib_per_second", build.sizeBytes() / writeSeconds / (1 << 20), "writes", build.writes(),
                    "checksums", build.sidecar() == null ? null : build.sidecar().toString()));
            return 0;
        }
        System.out.printf(Locale.ROOT, "loaded %s: %,d keys from %,d lines (%,d duplicate keys: the last line won), "
                        + "%d layers, %,d bytes in %.2f s; writing %.2f s (%.1f MiB/s, %s)%s%n", file,
                build.layout().keyCount(), result.pairsRead(), result.duplicates(), build.layout().layers(),
                build.sizeBytes(), seconds, writeSeconds, build.sizeBytes() / writeSeconds / (1 << 20), build.writes(),
                build.sidecar() != null ? "; checksums in " + build.sidecar() : "");
        return 0;
    }
}
