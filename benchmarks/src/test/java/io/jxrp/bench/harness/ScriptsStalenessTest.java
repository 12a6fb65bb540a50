package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts' one staleness check (scripts/lib/common.sh) on a fake checkout: built files, JMH's
 * generated sources, databases and results newer than the last build do not make it stale; a
 * changed source, pom or wrapper setting does (a pull gives changed files new times), and so does a
 * missing artifact or a missing stamp. And the shared option parser: defaults, values, refusals.
 */
class ScriptsStalenessTest {
    private static final Path LIB = Path.of("..", "scripts", "lib").toAbsolutePath().normalize();

    private static String bash(Path root, String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", ". '" + LIB.resolve("common.sh") + "'; . '" + LIB.resolve("options.sh")
                + "'; JXRP_ROOT='" + root + "'; BUILD_STAMP=\"$JXRP_ROOT/target/build.stamp\"; " + script)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() + ":" + out;
    }

    private static void write(Path file, long ageSeconds) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - ageSeconds * 1000));
    }

    @Test
    void onlyInputsNewerThanTheLastBuildMakeItStale(@TempDir Path root) throws Exception {
        write(root.resolve("engine/src/main/java/A.java"), 100);
        write(root.resolve("pom.xml"), 100);
        write(root.resolve("benchmarks/target/jxrp-benchmarks.jar"), 50);
        assertEquals("0:no full build yet (no target/build.stamp)", bash(root, "build_stale"));
        write(root.resolve("target/build.stamp"), 60);
        assertEquals("0:", bash(root, "build_stale '" + root.resolve("benchmarks/target/jxrp-benchmarks.jar") + "'"));
        // what builds and runs write is no input
        for (String f : List.of("benchmarks/target/generated-sources/annotations/Gen.java", "engine/target/classes/A.class",
                "data/bpfkv-4.db", "results/x/points.csv", "README.md")) {
            write(root.resolve(f), 0);
        }
        assertEquals("0:", bash(root, "build_stale"));
        assertEquals("0:benchmarks/target/missing.jar is missing",
                bash(root, "build_stale '" + root.resolve("benchmarks/target/missing.jar") + "'"));
        write(root.resolve("bpfkv/pom.xml"), 0);
        assertEquals("0:bpfkv/pom.xml changed since the last build", bash(root, "build_stale"));
        Files.setLastModifiedTime(root.resolve("bpfkv/pom.xml"), FileTime.fromMillis(System.currentTimeMillis() - 100_000));
        write(root.resolve("nvme-native/src/main/c/queue_pair.c"), 0); // a pull: the file's time is the pull's
        assertEquals("0:nvme-native/src/main/c/queue_pair.c changed since the last build", bash(root, "build_stale"));
    }

    @Test
    void theSharedParserSetsChecksAndPassesOn(@TempDir Path root) throws Exception {
        String declare = "usage() { echo USAGE; }; option --layers layers count 4 'layers'; option --data data path /d 'data'; "
                + "option --rebuild rebuild flag 0 'rebuild'; ";
        assertEquals("0:4 /d 0 []", bash(root, declare + "parse_options 1; echo \"$layers $data $rebuild [${HARNESS_ARGS[*]}]\""));
        assertEquals("0:5 /e 1 [--modes uring,pread --dry-run --threads=1 --x y]", bash(root, declare
                + "parse_options 1 --layers 5 --modes uring,pread --data=/e --dry-run --rebuild --threads=1 -- --x y; "
                + "echo \"$layers $data $rebuild [${HARNESS_ARGS[*]}]\""));
        assertTrue(bash(root, declare + "parse_options 1 --layers 0").contains("--layers must be a whole number >= 1, not '0'"));
        assertTrue(bash(root, declare + "parse_options 0 --modes x").contains("unknown argument '--modes'"));
        assertTrue(bash(root, declare + "parse_options 1 --data").contains("--data needs a value"));
        assertEquals("0:USAGE", bash(root, declare + "parse_options 1 --help"));
        assertEquals("0:yes", bash(root, declare + "parse_options 1 --modes=a; harness_arg_given --modes && echo yes"));
    }
}
