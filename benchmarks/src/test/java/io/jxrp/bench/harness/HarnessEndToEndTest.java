package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import io.jxrp.testing.Requirements;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * Tiny harness runs: an L=2 database, very few lookups, each measurement in its own JVM; checks the
 * results directory has every file, the CSV every repetition in an interleaved order, the histogram
 * logs, the open-loop plan and the comparison of two runs.
 */
class HarnessEndToEndTest {
    private static final Path BASE = Path.of("target", "harness-e2e");

    private static Path fresh(Path out, String name) throws IOException {
        Path dir = out.resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
        return dir;
    }

    /**
     * Every row's wrong and fallbacks columns are read and must be 0, each point measured all its
     * lookups, and each mode reports the backend it was given.
     */
    @Test
    void writesAResultsDirectoryWithPlotsHistogramsAndIntervals() throws IOException {
        Requirements.requireAvailable("io_uring shim (the uring mode)", io.jxrp.nvme.NvmeNative.unavailabilityCause());
        Path data = BASE.resolve("data");
        Path out = BASE.resolve("results");
        Files.createDirectories(BASE);
        Path peer = BASE.resolve("fake-peer");
        Files.writeString(peer, "#!/bin/sh\ncat <<'EOF'\n" + PeerTest.ORIGINAL_OUTPUT + "EOF\n");
        Files.setPosixFilePermissions(peer, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = fresh(out, "e2e");
        List<String> args = new ArrayList<>(Arrays.asList("--data", data.toString(), "--layers", "2",
                "--modes", "uring,java,pread", "--functions", "java", "--threads", "1", "--inflight", "1,4",
                "--requests", "300", "--pread-requests", "200", "--warmup", "50", "--repetitions", "2", "--open-loop", "none",
                "--device-seconds", "0.3", "--peer", peer.toString(), "--out", out.toString(), "--name", "e2e"));
        int rc = Harness.commandLine().execute(args.toArray(String[]::new));
        assertEquals(0, rc);
        for (String f : List.of("points.csv", "summary.csv", "results.json", "manifest.json", "device-limits.csv",
                "peers.csv", "summary.md", "throughput-vs-inflight-T1.png", "latency-percentiles-T1.png", "latency-vs-layers.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        for (String png : List.of("throughput-vs-inflight-T1.png", "latency-percentiles-T1.png", "latency-vs-layers.png")) {
            var image = ImageIO.read(dir.resolve(png).toFile());
            assertEquals(1000, image.getWidth(), png);
        }
        List<Map<String, String>> points = Csv.read(dir.resolve("points.csv"));
        assertEquals(2 * (2 + 2 + 1), points.size(), "uring and java at 1 and 4 in flight, pread: two repetitions each");
        // interleaved: every point's first repetition runs before any point's second
        for (int i = 0; i < points.size(); i++) {
            assertEquals(String.valueOf(i), points.get(i).get("run"));
            assertEquals(i < 5 ? "0" : "1", points.get(i).get("repetition"), "run " + i);
        }
        assertEveryLookupAnsweredRight(points, 300, 200);
        for (Map<String, String> p : points) {
            String id = p.get("mode") + ("-".equals(p.get("function")) ? "" : "-" + p.get("function")) + "-L2-C0-T1-I"
                    + p.get("inflight") + "-rep" + p.get("repetition") + ".hlog";
            try (var in = Files.newInputStream(dir.resolve("hlog").resolve(id))) {
                Histogram h = (Histogram) new HistogramLogReader(in).nextIntervalHistogram();
                assertEquals(Long.parseLong(p.get("requests")), h.getTotalCount(), id);
            }
        }
        List<Map<String, String>> summary = Csv.read(dir.resolve("summary.csv"));
        assertEquals(5, summary.size());
        for (Map<String, String> s : summary) {
            assertFalse(s.get("spread").isEmpty(), "two repetitions: a spread " + s);
            if (!s.get("mode").equals("pread")) {
                assertFalse(s.get("vs_pread_low").isEmpty() || s.get("vs_pread_high").isEmpty(), "an interval " + s);
            }
        }
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## Headline") && md.contains("| point |") && md.contains("## Peer binary"), md);
        JsonNode manifest = Json.read(dir.resolve("manifest.json"));
        assertTrue(manifest.get("available_processors").isInt() && manifest.get("load_average").isArray()
                && manifest.get("load_average_after").isArray(), manifest.toString());
        JsonNode results = Json.read(dir.resolve("results.json"));
        assertEquals(10, results.get("points").size());
        assertTrue(results.has("device_limits") && results.has("peers") && results.has("warnings"));
        assertEquals(2, Csv.read(dir.resolve("peers.csv")).size(), "the peer once per round");

        // the same run compared with itself: every point on both sides, ratio 1
        String compared = Compare.compare(dir, dir);
        assertTrue(compared.contains("| uring/java T1 I4 L2 C0 |") && compared.contains("| 1.00x ["), compared);
        assertEquals(5, compared.lines().filter(l -> l.contains("| 1.00x [")).count(), compared);
        assertTrue(compared.contains("## Environment differences (manifest.json)\n\nnone"), compared);
    }

    @Test
    void openLoopRunsEveryConfigurationAtTheSameRatesAndFlagsWhatItMisses() throws IOException {
        Requirements.requireAvailable("io_uring shim (the uring mode)", io.jxrp.nvme.NvmeNative.unavailabilityCause());
        Path out = BASE.resolve("results");
        Path dir = fresh(out, "open");
        // two threads: the engine on two reactors, whose answers are checked row by row below
        int rc = Harness.commandLine().execute("--data", BASE.resolve("data").toString(), "--layers", "2",
                "--modes", "uring,pread", "--threads", "2", "--inflight", "1", "--requests", "200", "--pread-requests", "200", "--warmup", "20",
                "--repetitions", "1", "--open-loop", "0.5", "--open-loop-rates", "100000000", "--no-device-limit",
                "--out", out.toString(), "--name", "open");
        assertEquals(0, rc);
        List<Map<String, String>> points = Csv.read(dir.resolve("points.csv"));
        assertEquals(6, points.size(), "uring and pread, closed and at two open-loop rates");
        assertTrue(points.stream().allMatch(p -> p.get("threads").equals("2")), points.toString());
        assertEveryLookupAnsweredRight(points, 200, 200);
        List<Map<String, String>> open = points.stream().filter(p -> p.get("loop").equals("open")).toList();
        assertEquals(4, open.size(), "two configurations at two rates");
        List<String> uringRates = open.stream().filter(p -> p.get("mode").equals("uring")).map(p -> p.get("target_rate")).sorted().toList();
        List<String> preadRates = open.stream().filter(p -> p.get("mode").equals("pread")).map(p -> p.get("target_rate")).sorted().toList();
        assertEquals(uringRates, preadRates, "the same offered rates for every configuration");
        assertTrue(open.stream().filter(p -> p.get("target_rate").equals("100000000")).allMatch(p -> p.get("missed_rate").equals("true")),
                "10^8 lookups/s cannot be carried here: " + open);
        assertTrue(Files.size(dir.resolve("open-loop-p99-T2.png")) > 0);
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("(missed)"));
    }

    @Test
    void dryRunPrintsTheMatrixTheRunCountAndAnEstimateWithoutTouchingAnything() {
        Path never = BASE.resolve("never-dry");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = Harness.commandLine().execute("--preset", "full", "--threads", "1,2", "--functions", "java", "--data", never.toString(),
                    "--out", never.toString(), "--dry-run");
        } finally {
            System.setOut(saved);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        // layers 3,4,5 x (uring, java: 2 threads x 5 in flight; pread: 2 threads) = 3 x 22 closed points,
        // 3 repetitions, closed + 4 open-loop rates each
        assertTrue(text.contains("closed-loop points (66):"), text);
        assertTrue(text.contains("runs: 990 measurements (198 closed-loop, 792 open-loop)"), text);
        assertTrue(text.contains("time estimate: about "), text);
        assertTrue(Files.notExists(never), "a dry run creates nothing");
    }

    @Test
    void withoutFioTheShimsRawReadsGiveTheDeviceLimit() throws IOException {
        Requirements.requireAvailable("io_uring shim", io.jxrp.nvme.NvmeNative.unavailabilityCause());
        Path out = BASE.resolve("results");
        Path dir = fresh(out, "rawread");
        int rc = Harness.commandLine().execute("--data", BASE.resolve("data").toString(), "--layers", "2",
                "--modes", "pread", "--threads", "1", "--requests", "100", "--repetitions", "1", "--fio", "none",
                "--device-seconds", "0.2", "--out", out.toString(), "--name", "rawread");
        assertEquals(0, rc);
        List<Map<String, String>> limits = Csv.read(dir.resolve("device-limits.csv"));
        assertEquals(2, limits.size(), "before, after: " + limits);
        assertEquals("rawread", limits.get(0).get("tool"));
        assertEquals("after", limits.get(1).get("phase"));
        assertEquals("", limits.get(0).get("read_mean_us"), "the raw loop measures no latency");
    }

    /**
     * Reads the columns (a substring match such as ",0,0," finds zeros of other columns in every row):
     * no wrong answer and no fall-back in any row, every lookup of the point measured, and the backend
     * each mode was given.
     */
    private static void assertEveryLookupAnsweredRight(List<Map<String, String>> points, int engineRequests, int preadRequests) {
        for (Map<String, String> p : points) {
            String point = p.get("mode") + " T" + p.get("threads") + " I" + p.get("inflight") + " " + p.get("loop")
                    + " loop rep " + p.get("repetition");
            assertEquals("0", p.get("wrong"), point + ": wrong answers");
            assertEquals("0", p.get("fallbacks"), point + ": lookups the engine left to pread");
            switch (p.get("mode")) {
                case "uring", "java" -> {
                    assertEquals(String.valueOf(engineRequests), p.get("requests"), point + ": lookups measured");
                    assertTrue(p.get("backend").startsWith(p.get("mode") + " "), point + ": backend " + p.get("backend"));
                }
                case "pread" -> {
                    assertEquals(String.valueOf(preadRequests), p.get("requests"), point + ": lookups measured");
                    assertEquals("pread", p.get("backend"), point);
                }
                default -> throw new AssertionError(point + ": a mode this run did not ask for");
            }
        }
    }

    @Test
    void rejectsBadArgumentsBeforeTouchingAnything() {
        for (String[] bad : List.of(new String[] {"--cache", "5"}, new String[] {"--modes", "spdk"},
                new String[] {"--functions", "python"}, new String[] {"--digest", "magic"},
                new String[] {"--threads", "0"}, new String[] {"--open-loop", "-1"}, new String[] {"--open-loop", "fast"},
                new String[] {"--preset", "huge"}, new String[] {"--layers", "9"}, new String[] {"--requests", "0"},
                new String[] {"--peer", "/no/such/peer"}, new String[] {"--open-loop-rates", "0"})) {
            List<String> args = new ArrayList<>(List.of("--data", BASE.resolve("never").toString(), "--out",
                    BASE.resolve("never").toString()));
            args.addAll(List.of(bad));
            CommandLine cl = Harness.commandLine();
            cl.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            assertEquals(2, cl.execute(args.toArray(String[]::new)), String.join(" ", bad));
        }
        assertTrue(Files.notExists(BASE.resolve("never")));
    }
}
