package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A tiny harness run: an L=2 database, very few lookups, every mode that works here, one open-loop
 * rate, a fake peer; checks the results directory has every file and the CSV every point.
 */
class HarnessEndToEndTest {
    private static final Path BASE = Path.of("target", "harness-e2e");

    @Test
    void writesAResultsDirectoryWithPlots() throws IOException {
        Path data = BASE.resolve("data");
        Path out = BASE.resolve("results");
        Files.createDirectories(BASE);
        Path peer = BASE.resolve("fake-peer");
        Files.writeString(peer, "#!/bin/sh\ncat <<'EOF'\n" + PeerTest.ORIGINAL_OUTPUT + "EOF\n");
        Files.setPosixFilePermissions(peer, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (Files.exists(out.resolve("e2e"))) {
            try (Stream<Path> files = Files.list(out.resolve("e2e"))) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        List<String> args = new ArrayList<>(Arrays.asList("--data", data.toString(), "--layers", "2",
                "--modes", "uring,java,pread", "--functions", "java", "--threads", "1,2", "--inflight", "1,4",
                "--requests", "300", "--warmup", "50", "--open-loop", "0.5", "--device-seconds", "0.3",
                "--peer", peer.toString(), "--out", out.toString(), "--name", "e2e"));
        int rc = new CommandLine(new Harness()).execute(args.toArray(String[]::new));
        assertEquals(0, rc);
        Path dir = out.resolve("e2e");
        for (String f : List.of("points.csv", "summary.csv", "results.json", "manifest.json", "device-limits.csv",
                "peers.csv", "summary.md", "throughput-vs-threads.png", "latency-cdf.png", "latency-vs-layers.png",
                "latency-vs-throughput.png")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        for (String png : List.of("throughput-vs-threads.png", "latency-cdf.png", "latency-vs-layers.png")) {
            var image = ImageIO.read(dir.resolve(png).toFile());
            assertEquals(1000, image.getWidth(), png);
        }
        List<String> lines = Files.readAllLines(dir.resolve("points.csv"));
        assertTrue(lines.getFirst().startsWith("mode,function,layers,threads,inflight"), lines.getFirst());
        long pread = lines.stream().filter(l -> l.startsWith("pread,")).count();
        assertEquals(4, pread, "pread at 1 and 2 threads, closed and open loop");
        long java = lines.stream().filter(l -> l.startsWith("java,java,2,")).count();
        assertEquals(8, java, "java backend: 2 threads x 2 in-flight x (closed + open)");
        assertTrue(lines.stream().skip(1).allMatch(l -> l.contains(",0,0,") || !l.contains(",closed,")),
                "no wrong answers or fallbacks");
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## Headline") && md.contains("| point |") && md.contains("## Peer binary"), md);
        // the fake peer reports 12345.6789 lookups/s at every thread count: every row has both jxrp ratios
        assertEquals(2, md.lines().filter(l -> l.startsWith("| `") && l.matches(".*\\| [0-9.]+x \\| [0-9.]+x \\|.*")).count(), md);
        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"device_limits\"") && json.contains("\"peers\"") && json.contains("\"manifest\""));
    }

    @Test
    void withoutFioTheShimsRawReadsGiveTheDeviceLimit() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.jxrp.nvme.NvmeNative.isAvailable(),
                () -> "native shim unavailable: " + io.jxrp.nvme.NvmeNative.unavailabilityCause());
        Path out = BASE.resolve("results");
        int rc = new CommandLine(new Harness()).execute("--data", BASE.resolve("data").toString(), "--layers", "2",
                "--modes", "pread", "--threads", "1", "--requests", "100", "--fio", "none", "--device-seconds", "0.2",
                "--out", out.toString(), "--name", "rawread");
        assertEquals(0, rc);
        List<String> limits = Files.readAllLines(out.resolve("rawread").resolve("device-limits.csv"));
        assertEquals(3, limits.size(), "header, before, after: " + limits);
        assertTrue(limits.get(1).contains(",rawread,") && limits.get(2).endsWith(",after"), limits.toString());
    }

    @Test
    void rejectsBadArgumentsBeforeTouchingAnything() {
        for (String[] bad : List.of(new String[] {"--cache", "5"}, new String[] {"--modes", "spdk"},
                new String[] {"--functions", "python"}, new String[] {"--digest", "magic"},
                new String[] {"--threads", "0"}, new String[] {"--open-loop", "-1"})) {
            List<String> args = new ArrayList<>(List.of("--data", BASE.resolve("never").toString()));
            args.addAll(List.of(bad));
            CommandLine cl = new CommandLine(new Harness());
            cl.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
            assertEquals(2, cl.execute(args.toArray(String[]::new)), String.join(" ", bad));
        }
        assertTrue(Files.notExists(BASE.resolve("never")));
    }
}
