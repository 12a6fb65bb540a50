package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.nvme.spdk.NvmfTarget;
import io.jxrp.nvme.spdk.SpdkInstall;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bpfkv command on NVMe namespaces (nvmf_tgt on 127.0.0.1, malloc bdevs): create onto a
 * namespace, look up, scan, inspect, copy a file onto one, and the refusals. Skipped, saying why,
 * where SPDK is absent.
 */
@Timeout(300)
class SpdkCliTest {
    private static String[] run(int expectedExit, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BpfKvCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8) + capturedErr.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, String.join(" ", args) + " printed:\n" + text);
        return text.split("\n");
    }

    /** Commands about a database file and its sidecar say so for a namespace (no SPDK needed). */
    @Test
    void fileOnlyCommandsRefuseANamespace() {
        String ns = "spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:nqn.2016-06.io.spdk:cnode1 ns:1";
        assertTrue(String.join("\n", run(BpfKvCli.EXIT_USAGE, "checksum", ns)).contains("is a namespace: a checksum sidecar"));
        assertTrue(String.join("\n", run(BpfKvCli.EXIT_USAGE, "scrub", ns)).contains("is a namespace: scrub"));
        assertTrue(String.join("\n", run(BpfKvCli.EXIT_USAGE, "copy", ns, ns)).contains("is a namespace: copy reads"));
        assertTrue(String.join("\n", run(BpfKvCli.EXIT_USAGE, "inspect", ns, "--deep")).contains("--deep walks a database file"));
        assertTrue(String.join("\n", run(BpfKvCli.EXIT_USAGE, "get", "spdk:trtype:TCP traddr:127.0.0.1", "1"))
                .contains("needs trsvcid and subnqn"));
    }

    @Test
    void createLookUpScanInspectAndCopyOnNamespaces() throws Exception {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, () -> "SPDK: " + reason);
        Path dir = Path.of("target", "test-dbs", "spdk-cli").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve("cli-L3.db");
        run(0, "create", file.toString(), "--layers", "3", "--force", "--no-progress");
        try (NvmfTarget target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir,
                List.of(new NvmfTarget.Malloc("Created", 8192, 512), new NvmfTarget.Malloc("Copied", 8192, 512),
                        new NvmfTarget.Malloc("Tiny", 16, 512)), true)) {
            String created = target.namespace("Created").toString();
            String copied = target.namespace("Copied").toString();
            String tiny = target.namespace("Tiny").toString();

            run(0, "create", created, "--layers", "3", "--no-progress");
            String[] again = run(BpfKvCli.EXIT_IO, "create", created, "--layers", "2", "--no-progress");
            assertTrue(String.join("\n", again).contains("first block is not zero"), String.join("\n", again));
            run(BpfKvCli.EXIT_IO, "create", tiny, "--layers", "2", "--force", "--no-progress");
            run(0, "copy", file.toString(), copied, "--no-progress");

            for (String ns : List.of(created, copied)) {
                String[] get = run(0, "get", ns, "0", "29790");
                assertEquals("0 " + String.format("%63d", 0), get[0], "the value as stored, create's padding kept");
                assertEquals("29790 " + String.format("%63d", 29790), get[1]);
                assertEquals("29791 not found (keys are 0..29790)", run(1, "get", ns, "29791")[0]);
                String[] aggregate = run(0, "range", ns, "100", "200", "--count", "--sum", "--layers", "3", "--cache", "2");
                assertEquals("count 100", aggregate[0]);
                assertEquals("sum " + (100L + 199) * 100 / 2, aggregate[1]);
                String inspect = String.join("\n", run(0, "inspect", ns, "--node", "1"));
                assertTrue(inspect.contains("layers        3") && inspect.contains("the database from offset 0")
                        && inspect.contains("reads         engine (spdk)") && inspect.contains("[ 1] key"), inspect);
                String bench = String.join("\n", run(0, "get", ns, "--requests", "400", "--inflight", "4", "--json"));
                assertTrue(bench.contains("\"backend\":\"spdk") && bench.contains("\"wrong_or_missing\":0"), bench);
            }
            String[] layers = run(BpfKvCli.EXIT_BAD_DATABASE, "get", created, "1", "--layers", "4");
            assertTrue(String.join("\n", layers).contains("has 3 layers (found by descending from the root), not 4"),
                    String.join("\n", layers));
            run(BpfKvCli.EXIT_BAD_DATABASE, "get", tiny, "1"); // zeros: no database
            run(BpfKvCli.EXIT_USAGE, "get", created, "1", "--mode", "pread");
            run(BpfKvCli.EXIT_USAGE, "get", created, "1", "--backend", "uring");
            run(BpfKvCli.EXIT_USAGE, "copy", file.toString(), dir.resolve("other.db").toString());
            run(BpfKvCli.EXIT_USAGE, "get", "spdk:trtype:TCP traddr:127.0.0.1", "1"); // no trsvcid/subnqn
        }
    }
}
