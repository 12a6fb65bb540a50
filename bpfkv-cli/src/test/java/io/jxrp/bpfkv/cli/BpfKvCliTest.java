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
        return text.split("\n");
    }

    @Test
    void theSpdkBackendOnAFileIsRefused() {
        // without SPDK: an environment error (exit 4); with it: spdk serves namespaces, not files (usage, exit 2)
        int expected = io.jxrp.engine.backend.SpdkBackend.unavailabilityCause() != null ? BpfKvCli.EXIT_IO
                : BpfKvCli.EXIT_USAGE;
        run(expected, "get", db.toString(), "1", "--backend", "spdk");
    }

    @Test
    void getRangeAndInspect() {
        String[] get = run(0, "get", db.toString(), "0", "960", "--backend", "java");
        assertEquals("0 0", get[0]);
        assertEquals("960 960", get[1]);
        assertEquals("961 not found (keys are 0..960)", run(1, "get", db.toString(), "961")[0]);
        String[] dump = run(0, "range", db.toString(), "10", "13", "--dump", "--end-inclusive", "--mode", "pread");
        assertEquals("10 10", dump[0]);
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
