package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.check.Problems;
import io.jxrp.bpfkv.check.Scrub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "scrub", mixinStandardHelpOptions = true,
        header = "Verifies every block of a database against its checksum sidecar.",
        description = {"Verifies every block of a database against its checksum sidecar (FILE.crc32c), with progress,",
                "and reports every block that differs and every damaged page of the sidecar (exit 3 when there is one)."})
final class ScrubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the database")
    Path file;

    @Option(names = "--max-problems", paramLabel = "N", defaultValue = "100",
            description = "problems listed, 0..1000000 (all are counted; default ${DEFAULT-VALUE})")
    int maxProblems;

    @Option(names = "--no-progress", description = "no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Mixin
    JsonOutput json;

    @Override
    public Integer call() throws Exception {
        Arguments.fileNotNamespace(spec, file, "scrub checks a database file against its checksum sidecar, and a "
                + "namespace has none");
        Arguments.range(spec, "--max-problems", maxProblems, 0, InspectCommand.MAX_LISTED);
        Scrub.Report report = Progress.run(noProgress, "scrub", Files.size(file), progress -> Scrub.run(file, maxProblems, progress));
        double seconds = report.elapsedNanos() / 1e9;
        Problems problems = report.problems();
        if (json.enabled) {
            JsonOutput.print(JsonOutput.object("database", file.toString(), "sidecar", report.sidecar().toString(),
                    "blocks", report.blocks(), "bytes", report.bytes(), "seconds", seconds, "bad_blocks", report.badBlocks(),
                    "damaged_sidecar_pages", report.damagedPages().size(), "problems", problems.count(),
                    "listed", problems.listed().stream().map(Object::toString).toList()));
            return problems.isEmpty() ? 0 : BpfKvCli.EXIT_BAD_DATABASE;
        }
        System.out.printf(Locale.ROOT, "scrubbed %s against %s: %,d blocks (%.1f MiB) in %.2f s (%.0f MiB/s): %s%n", file,
                report.sidecar().getFileName(), report.blocks(), report.bytes() / 1048576.0, seconds,
                report.bytes() / 1048576.0 / Math.max(seconds, 1e-9), problems.isEmpty() ? "all intact"
                        : report.badBlocks() + (report.badBlocks() == 1 ? " bad block" : " bad blocks")
                        + (report.damagedPages().isEmpty() ? "" : ", " + report.damagedPages().size()
                                + " damaged sidecar page" + (report.damagedPages().size() == 1 ? "" : "s")));
        for (Problems.Problem p : problems.listed()) {
            System.out.println("  " + p);
        }
        if (problems.count() > problems.listed().size()) {
            System.out.printf(Locale.ROOT, "  ... and %,d more (--max-problems lists more)%n", problems.count() - problems.listed().size());
        }
        return problems.isEmpty() ? 0 : BpfKvCli.EXIT_BAD_DATABASE;
    }
}
