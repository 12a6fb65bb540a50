package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.bpfkv.function.BpfFunctions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --function bpf} and {@code --bpf-exec} on the command line: the same answers as the Java functions. */
@Timeout(120)
class BpfFunctionsCliTest {
    private static String run(int expectedExit, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BpfKvCli.run(args);
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, String.join(" ", args) + " printed:\n" + text);
        return text;
    }

    @Test
    void getAndRangeAnswerTheSameWithEveryFunctionSet() throws Exception {
        io.jxrp.testing.Requirements.require(BpfFunctions.isAvailable(), () -> "eBPF storage functions unavailable: " + BpfFunctions.unavailabilityCause());
        Path dir = Path.of("target", "test-dbs").toAbsolutePath();
        Files.createDirectories(dir);
        String db = dir.resolve("cli-bpf-L2.db").toString();
        assertEquals(0, BpfKvCli.run("create", db, "--layers", "2", "--force", "--no-progress"));
        String get = run(0, "get", db, "0", "17", "960");
        String range = run(0, "range", db, "100", "300", "--count", "--sum", "--min", "--max");
        String dump = run(0, "range", db, "25", "40", "--dump");
        for (String exec : new String[] {"jit", "interp"}) {
            assertEquals(get, run(0, "get", db, "0", "17", "960", "--function", "bpf", "--bpf-exec", exec), exec);
            assertEquals(range, run(0, "range", db, "100", "300", "--count", "--sum", "--min", "--max", "--function", "bpf",
                    "--bpf-exec", exec), exec);
            assertEquals(dump, run(0, "range", db, "25", "40", "--dump", "--function", "bpf", "--bpf-exec", exec), exec);
        }
        assertTrue(range.contains("count 200"), range);
        run(2, "get", db, "5", "--function", "rust");
        run(2, "get", db, "5", "--function", "bpf", "--bpf-exec", "fast");
    }
}
