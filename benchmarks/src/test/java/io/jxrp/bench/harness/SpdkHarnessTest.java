package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.nvme.spdk.NvmfTarget;
import io.jxrp.nvme.spdk.SpdkInstall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The harness's spdk mode, tiny runs: the databases served by the harness's own nvmf_tgt (spdk on
 * the very file uring reads, the namespace's limit from spdk_nvme_perf), and a given malloc namespace
 * the harness writes the database onto. Skipped, saying why, where SPDK is absent.
 */
class SpdkHarnessTest {
    private static final Path BASE = Path.of("target", "harness-spdk");

    private static void requireSpdk() {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, () -> "SPDK: " + reason);
    }

    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!f.equals(dir)) {
                        Files.delete(f);
                    }
                }
            }
        }
        return dir;
    }

    @Test
    void servedNamespacesBesideUringOnTheSameFile() throws IOException {
        requireSpdk();
        Path out = BASE.resolve("results");
        fresh(out.resolve("served"));
        int rc = new CommandLine(new Harness()).execute("--data", BASE.resolve("data").toString(), "--layers", "2",
                "--modes", "spdk,uring", "--spdk-serve", "interrupt", "--threads", "1", "--inflight", "1,2",
                "--requests", "300", "--warmup", "50", "--repetitions", "1", "--device-seconds", "1", "--out", out.toString(),
                "--name", "served");
        assertEquals(0, rc);
        Path dir = out.resolve("served");
        List<String> points = Files.readAllLines(dir.resolve("points.csv"));
        assertEquals(2, points.stream().filter(l -> l.startsWith("spdk,java,2,")).count(), String.join("\n", points));
        assertEquals(2, points.stream().filter(l -> l.startsWith("uring,java,2,")).count(), String.join("\n", points));
        assertTrue(points.stream().filter(l -> l.startsWith("spdk,")).allMatch(l -> l.contains("spdk (")), "backend column");
        List<String> limits = Files.readAllLines(dir.resolve("device-limits.csv"));
        assertTrue(limits.stream().anyMatch(l -> l.contains("spdk_nvme_perf") && l.contains(",namespace,")
                && l.startsWith("2,")), String.join("\n", limits)); // depth 2, on the namespace
        assertTrue(limits.stream().anyMatch(l -> l.contains(",file,")), String.join("\n", limits));
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("## Device limit of the namespace (spdk_nvme_perf on spdk:trtype:TCP")
                && md.contains("spdk point by point"), md);
        String served = Json.read(dir.resolve("manifest.json")).get("spdk_served").asString();
        assertTrue(served.startsWith("nvmf_tgt started by the harness"), served);
    }

    @Test
    void aGivenNamespaceGetsTheDatabaseWrittenOntoItAndIsADatabaseToo() throws IOException {
        requireSpdk();
        Path work = BASE.resolve("given");
        Files.createDirectories(work);
        Path data = fresh(BASE.resolve("given-data"));
        try (NvmfTarget target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), work,
                List.of(new NvmfTarget.Malloc("Malloc0", 4096, 512)), true)) {
            Path out = BASE.resolve("results");
            fresh(out.resolve("given"));
            int rc = new CommandLine(new Harness()).execute("--data", data.toString(), "--layers", "2",
                    "--modes", "spdk", "--spdk-target", target.namespace(1).toString(), "--spdk-create",
                    "--threads", "1", "--inflight", "4", "--requests", "300", "--warmup", "50", "--repetitions", "1", "--no-device-limit",
                    "--out", out.toString(), "--name", "given");
            assertEquals(0, rc);
            List<String> points = Files.readAllLines(out.resolve("given").resolve("points.csv"));
            assertEquals(1, points.stream().filter(l -> l.startsWith("spdk,java,2,1,4,")).count(), String.join("\n", points));
            assertFalse(Files.exists(data.resolve("bpfkv-2.db")), "spdk alone with --spdk-create reads no file");

            // the namespace now holds the database: --db takes it as it takes a file, layers from its root
            fresh(out.resolve("db"));
            rc = new CommandLine(new Harness()).execute("--db", target.namespace(1).toString(), "--modes", "spdk",
                    "--threads", "1", "--inflight", "2", "--requests", "200", "--warmup", "20", "--repetitions", "1", "--no-device-limit",
                    "--out", out.toString(), "--name", "db");
            assertEquals(0, rc);
            points = Files.readAllLines(out.resolve("db").resolve("points.csv"));
            assertEquals(1, points.stream().filter(l -> l.startsWith("spdk,java,2,1,2,")).count(), String.join("\n", points));
        }
    }

    @Test
    void spdkModeNeedsANamespace() {
        assertEquals(2, new CommandLine(new Harness()).execute("--modes", "spdk", "--out", BASE.toString()));
        assertEquals(2, new CommandLine(new Harness()).execute("--modes", "spdk", "--spdk-target", "data/x.db",
                "--out", BASE.toString()));
        assertEquals(2, new CommandLine(new Harness()).execute("--modes", "spdk", "--spdk-serve", "sometimes",
                "--out", BASE.toString()));
        assertEquals(2, new CommandLine(new Harness()).execute("--modes", "uring", "--spdk-create", "--out", BASE.toString()));
        assertEquals(2, new CommandLine(new Harness()).execute("--db", "spdk:trtype:PCIe traddr:0000:01:00.0",
                "--modes", "uring,spdk", "--out", BASE.toString()));
    }
}
