package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bpfkv command line: its output and exit codes. */
@Timeout(120)
class BpfKvCliTest {
    private static Path dir;
    private static Path db;

    @BeforeAll
    static void createDatabase() throws Exception {
        dir = Path.of("target", "test-dbs").toAbsolutePath();
        Files.createDirectories(dir);
        db = dir.resolve("cli-L2.db");
        assertEquals(0, BpfKvCli.run("create", db.toString(), "--layers", "2", "--force", "--no-progress"));
    }

    private static String[] run(int expectedExit, String... args) {
        return runCapturing(expectedExit, args)[0].split("\n");
    }

    /** Runs and returns {stdout, stderr}. */
    private static String[] runCapturing(int expectedExit, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BpfKvCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        String stderr = errors.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, String.join(" ", args) + " printed:\n" + text + stderr);
        return new String[] {text, stderr};
    }

    /** The campaign's multi-line errors, traces and hang (issue 15): one line each, the documented exit code, at once. */
    @Test
    void errorsAreOneLineWithTheDocumentedExitCode() throws Exception {
        Object[][] cases = {
            {BpfKvCli.EXIT_USAGE, new String[] {"get", db.toString(), "abc"}, "KEY 'abc' is not a key"},
            {BpfKvCli.EXIT_USAGE, new String[] {"get", db.toString(), "99999999999999999999"}, "is not a key"},
            {BpfKvCli.EXIT_USAGE, new String[] {"create", dir.resolve("x.db").toString(), "-l", "2", "--buffer-mib", "4096"},
                "--buffer-mib must be 1..1024, not 4096"},
            {BpfKvCli.EXIT_USAGE, new String[] {"create", dir.resolve("x.db").toString(), "-l", "2", "--buffer-mib", "-1"},
                "--buffer-mib must be 1..1024, not -1"},
            {BpfKvCli.EXIT_USAGE, new String[] {"load", dir.resolve("x.db").toString(), "--from", "-", "--buffer-mib", "0"},
                "--buffer-mib must be 1..1024, not 0"},
            {BpfKvCli.EXIT_USAGE, new String[] {"get", db.toString(), "--requests", "10", "--threads", "100000"},
                "--threads must be 1..64, not 100000"},
            {BpfKvCli.EXIT_USAGE, new String[] {"get", db.toString(), "--requests", "1000", "--warmup", "99999999999"},
                "--warmup must be 0..1000"},
            {BpfKvCli.EXIT_USAGE, new String[] {"range", db.toString(), "10", "5"}, "BEGIN 10 is greater than END 5"},
            {BpfKvCli.EXIT_USAGE, new String[] {"inspect", db.toString(), "--node", "-5"}, "--node must be 0.."},
            {BpfKvCli.EXIT_USAGE, new String[] {"inspect", db.toString(), "--node", "961"}, "--node must be 0..31"},
            {BpfKvCli.EXIT_IO, new String[] {"create", dir.toString(), "--force", "-l", "2"}, "is not a regular file"},
            {BpfKvCli.EXIT_IO, new String[] {"create", dir.resolve("no-such-dir/x.db").toString(), "-l", "2"}, "no such directory"},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[1];
            String[] printed = runCapturing((Integer) c[0], args);
            String stderr = printed[1].strip();
            assertTrue(stderr.contains((String) c[2]), String.join(" ", args) + ": " + stderr);
            assertEquals(1, stderr.lines().count(), "one line: " + stderr);
            assertEquals("", printed[0], "nothing else printed (no progress bar, no usage): " + printed[0]);
        }
        // corrupt below the root: the benchmark ends with exit 3 and the offset, not a trace
        Path corrupt = dir.resolve("cli-corrupt.db");
        Files.copy(db, corrupt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(dir.resolve("cli-corrupt.db.crc32c"));
        try (var channel = java.nio.channels.FileChannel.open(corrupt, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {7}), 512 * 5 + 8); // leaf 4's type
        }
        String[] bench = runCapturing(BpfKvCli.EXIT_BAD_DATABASE, "get", corrupt.toString(), "--requests", "2000", "--mode", "pread");
        assertTrue(bench[1].contains("at byte offset 2568: node type 7"), bench[1]);
        assertTrue(!bench[1].contains("\tat "), bench[1]);
        String[] deep = runCapturing(BpfKvCli.EXIT_BAD_DATABASE, "inspect", corrupt.toString(), "--deep", "--no-progress");
        assertTrue(deep[0].contains("1 problem") && deep[0].contains("offset 2568: node 5 (level 1): node type 7"), deep[0]);
    }

    @Test
    void checksumAndScrub() throws Exception {
        Path copy = dir.resolve("cli-sums.db");
        Files.copy(db, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(dir.resolve("cli-sums.db.crc32c"));
        runCapturing(BpfKvCli.EXIT_IO, "scrub", copy.toString(), "--no-progress");
        assertTrue(run(0, "checksum", copy.toString(), "--no-progress")[0].startsWith("wrote "));
        runCapturing(BpfKvCli.EXIT_IO, "checksum", copy.toString(), "--no-progress"); // exists: --force
        assertTrue(run(0, "scrub", copy.toString(), "--no-progress")[0].endsWith("all intact"));
        try (var channel = java.nio.channels.FileChannel.open(copy, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {'9'}), new io.jxrp.bpfkv.format.TreeLayout(2).valueOffset(100) + 62);
        }
        String[] scrub = run(BpfKvCli.EXIT_BAD_DATABASE, "scrub", copy.toString(), "--no-progress");
        assertTrue(scrub[0].endsWith("1 bad block") && scrub[1].contains("(keys 96..103)"), String.join("\n", scrub));
        String[] get = runCapturing(BpfKvCli.EXIT_BAD_DATABASE, "get", copy.toString(), "100");
        assertTrue(get[1].contains("block checksum mismatch"), get[1]);
        assertEquals("100 " + String.format("%63d", 109), run(0, "get", copy.toString(), "100", "--checksums", "off")[0],
                "the damage, unchecked (the value as stored, padding kept)");
        run(BpfKvCli.EXIT_BAD_DATABASE, "inspect", copy.toString(), "--deep", "--no-progress");
    }

    @Test
    void theSpdkBackendOnAFileIsRefused() {
        // without SPDK: an environment error (exit 4); with it: spdk serves namespaces, not files (usage, exit 2)
        int expected = io.jxrp.engine.backend.SpdkBackend.unavailabilityCause() != null ? BpfKvCli.EXIT_IO
                : BpfKvCli.EXIT_USAGE;
        run(expected, "get", db.toString(), "1", "--backend", "spdk");
    }

    @Test
    void digestAndPassthruOptions() {
        // the FIEMAP digest on a file system that may not allow it here still answers (through uring or java)
        assertEquals("5 " + String.format("%63d", 5),
                run(0, "get", db.toString(), "5", "--digest", "identity", "--backend", "auto")[0]);
        run(BpfKvCli.EXIT_USAGE, "get", db.toString(), "5", "--digest", "extents");
        // passthru reads NVMe namespaces, a file only through the FIEMAP digest: a usage error, with the reason
        run(BpfKvCli.EXIT_USAGE, "get", db.toString(), "5", "--backend", "passthru");
    }

    @Test
    void getRangeAndInspect() {
        String[] get = run(0, "get", db.toString(), "0", "960", "--backend", "java");
        assertEquals("0 " + String.format("%63d", 0), get[0], "the value as stored, create's padding kept");
        assertEquals("960 " + String.format("%63d", 960), get[1]);
        assertEquals("961 not found (keys are 0..960)", run(1, "get", db.toString(), "961")[0]);
        String[] dump = run(0, "range", db.toString(), "10", "13", "--dump", "--end-inclusive", "--mode", "pread");
        assertEquals("10 " + String.format("%63d", 10), dump[0]);
        assertEquals("4 pairs", dump[4]);
        String[] aggregate = run(0, "range", db.toString(), "0", "961", "--count", "--sum", "--avg", "--cache", "1");
        assertEquals("count 961", aggregate[0]);
        assertEquals("sum " + (960L * 961 / 2), aggregate[1]);
        assertEquals("avg 480.000", aggregate[2]);
        String[] inspect = run(0, "inspect", db.toString(), "--node", "1");
        assertTrue(String.join("\n", inspect).contains("layers        2"), String.join("\n", inspect));
    }

    @Test
    void benchmarkPrintsTheOriginalsLines() {
        String[] engine = run(0, "get", db.toString(), "--requests", "300", "--threads", "2", "--inflight", "4", "--warmup", "50");
        String text = String.join("\n", engine);
        assertTrue(text.contains("Average throughput: ") && text.contains(" op/s latency: ") && text.contains("99.9% latency: ")
                && text.contains("Percentage of requests with latency >= 1ms: "), text);
        String[] pread = run(0, "get", db.toString(), "--requests", "200", "--mode", "pread", "--json");
        assertTrue(pread[0].startsWith("{\"mode\":\"pread\"") && pread[0].contains("\"wrong_or_missing\":0"), pread[0]);
        run(2, "get", db.toString(), "--requests", "10", "--mode", "pread", "--inflight", "4");
    }

    @Test
    void exitCodesSayWhatWentWrong() throws Exception {
        run(4, "create", db.toString(), "--layers", "2");
        Path notDb = dir.resolve("cli-not-a-db.db");
        Files.writeString(notDb, "not a tree");
        run(3, "inspect", notDb.toString());
        run(3, "get", db.toString(), "5", "--layers", "3");
        run(4, "get", dir.resolve("cli-missing.db").toString(), "5");
        run(2, "get", db.toString(), "--mode", "fast", "5");
        run(2, "frobnicate");
    }
}
