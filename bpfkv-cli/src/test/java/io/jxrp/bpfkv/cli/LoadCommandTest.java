package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bpfkv load}: the user's pairs from a file or standard input, its report and its errors. */
@Timeout(120)
class LoadCommandTest {
    static final Path DIR = Path.of("target", "test-dbs").toAbsolutePath();

    /** Runs the command line with {@code stdin}; returns standard output and error, checked against the exit code. */
    static String[] run(int expectedExit, String stdin, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        InputStream in = System.in;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        int exit;
        try {
            exit = BpfKvCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            System.setIn(in);
        }
        String text = capturedOut.toString(StandardCharsets.UTF_8);
        String errors = capturedErr.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, String.join(" ", args) + " printed:\n" + text + errors);
        return new String[] {text, errors};
    }

    @Test
    void loadsLinesFromAFileAndFromStandardInput() throws Exception {
        Files.createDirectories(DIR);
        Path input = DIR.resolve("load-input.txt");
        Files.writeString(input, "42\tanswer\n7\tseven\n18446744073709551614\tlast key\n42\tthe answer\n0\t\n");
        Path db = DIR.resolve("cli-load.db");
        String[] loaded = run(0, "", "load", db.toString(), "--from", input.toString(), "--force", "--no-progress");
        assertTrue(loaded[0].contains("4 keys from 5 lines (1 duplicate keys: the last line won), 1 layers"), loaded[0]);
        assertEquals("42 the answer\n7 seven\n18446744073709551614 last key\n0 \n",
                run(0, "", "get", db.toString(), "42", "7", "18446744073709551614", "0")[0]);
        assertEquals("8 not found\n", run(1, "", "get", db.toString(), "8")[0]);
        assertTrue(run(2, "", "get", db.toString(), "-5")[1].contains("-5"));
        assertTrue(run(2, "", "get", db.toString(), "x5")[1].contains("x5"));
        assertTrue(run(2, "", "get", db.toString(), "18446744073709551615")[1].contains("18446744073709551615"));
        assertTrue(run(2, "", "put", db.toString(), "18446744073709551615", "x")[1].contains("is reserved"));
        String[] range = run(0, "", "range", db.toString(), "1", "18446744073709551614", "--dump", "--end-inclusive");
        assertEquals("7 seven\n42 the answer\n18446744073709551614 last key\n3 pairs\n", range[0]);

        Path fromStdin = DIR.resolve("cli-load-stdin.db");
        StringBuilder lines = new StringBuilder();
        for (int i = 5000; i > 0; i--) {
            lines.append(i * 3L).append('\t').append(i).append('\n');
        }
        run(0, lines.toString(), "load", fromStdin.toString(), "--from", "-", "--force", "--no-progress");
        String[] sums = run(0, "", "range", fromStdin.toString(), "0", "30000", "--count", "--sum");
        assertEquals("count 5000\nsum " + (5000L * 5001 / 2) + "\n", sums[0]);
    }

    @Test
    void aMalformedLineIsNamedAndNothingIsWritten() throws Exception {
        Files.createDirectories(DIR);
        Path db = DIR.resolve("cli-load-bad.db");
        Files.deleteIfExists(db);
        String[] bad = run(2, "1\tone\n2\ttwo\nthree\t3\n", "load", db.toString(), "--from", "-", "--no-progress");
        assertTrue(bad[1].contains("<stdin>: line 3: key 'three' is not an unsigned 64-bit decimal number"), bad[1]);
        assertFalse(Files.exists(db));
        String[] tooLong = run(2, "1\t" + "v".repeat(65) + "\n", "load", db.toString(), "--from", "-", "--no-progress");
        assertTrue(tooLong[1].contains("line 1: value of 65 bytes is longer than the 64-byte value slot"), tooLong[1]);
        assertFalse(Files.exists(db));
        run(4, "", "load", db.toString(), "--from", DIR.resolve("no-such-input.txt").toString(), "--no-progress");
    }
}
