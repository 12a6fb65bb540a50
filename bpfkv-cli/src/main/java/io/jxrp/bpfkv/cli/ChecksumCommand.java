package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.format.ChecksumDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.BlockChecksums;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "checksum", mixinStandardHelpOptions = true,
        header = "Adds a checksum sidecar to a database.",
        description = {"Adds a checksum sidecar (FILE.crc32c: the CRC32C of every 512 B block) to a database, e.g. one the",
                "original BPF-KV made, which ignores the sidecar. Lookups then verify every block they read against it."})
final class ChecksumCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the database")
    Path file;

    @Option(names = "--force", description = "replace an existing sidecar (run bpfkv scrub first: it may be the database that is damaged)")
    boolean force;

    @Option(names = "--no-progress", description = "no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        Arguments.fileNotNamespace(spec, file, "a checksum sidecar is a file beside a database file, and a namespace "
                + "has none");
        if (!Files.isRegularFile(file)) {
            throw Files.exists(file) ? new java.io.IOException(file + ": not a regular file") : new NoSuchFileException(file.toString());
        }
        long size = Files.size(file);
        io.jxrp.bpfkv.ops.PreadTraversal.discover(file, 0); // only BPF-KV files: a wrong file gets no sidecar
        Path sidecar = ChecksumDescriptor.sidecarOf(file);
        if (Files.exists(sidecar) && !force) {
            throw new FileAlreadyExistsException(sidecar.toString(), null, "already exists");
        }
        long started = System.nanoTime();
        BlockChecksums sums = Progress.run(noProgress, "checksum", size, progress -> BlockChecksums.compute(file, progress));
        sums.write();
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", file.toString(), "sidecar", sidecar.toString(), "blocks", sums.blocks(),
                    "seconds", (System.nanoTime() - started) / 1e9));
            return 0;
        }
        System.out.printf(Locale.ROOT, "wrote %s: CRC32C of %,d blocks of %s in %.2f s%n", sidecar, sums.blocks(), file,
                (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
