package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTest {
    static final String ORIGINAL_OUTPUT = """
            Running benchmark with 4 layers, 1000 requests, and 2 thread(s)
            Average throughput: 12345.678900 op/s latency: 80.912000 usec
            95%   latency: 120.500000 us
            99%   latency: 150.000000 us
            99.9% latency: 300.250000 us
            Percentage of requests with latency >= 1ms: 0.010000%
            """;

    @Test
    void parsesTheOriginalsLines() {
        PeerOutput o = PeerOutput.parse(ORIGINAL_OUTPUT);
        assertEquals(12345.6789, o.throughput(), 1e-9);
        assertEquals(80.912, o.meanMicros(), 1e-9);
        assertTrue(Double.isNaN(o.p50Micros()));
        assertEquals(120.5, o.p95Micros(), 1e-9);
        assertEquals(150.0, o.p99Micros(), 1e-9);
        assertEquals(300.25, o.p999Micros(), 1e-9);
        assertEquals(0.01, o.percentAtLeastOneMilli(), 1e-9);
    }

    @Test
    void parsesJxrpsOwnGetOutputWithItsMedianLine() {
        PeerOutput o = PeerOutput.parse("Average throughput: 1e4 op/s latency: 5 usec\n50%   latency: 4.5 us\n");
        assertEquals(10000, o.throughput(), 1e-9);
        assertEquals(4.5, o.p50Micros(), 1e-9);
        assertTrue(Double.isNaN(o.p99Micros()));
    }

    @Test
    void refusesOutputWithoutAThroughputLine() {
        assertThrows(IllegalArgumentException.class, () -> PeerOutput.parse("99%   latency: 1 us\n"));
    }

    private static Path script(Path dir, String body) throws IOException {
        Path s = dir.resolve("fake-simplekv");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    @Test
    void runsAFakePeerWithTheTemplateFilledIn(@TempDir Path dir) throws Exception {
        Path args = dir.resolve("args");
        Path fake = script(dir, "echo \"$@\" > '" + args + "'\ncat <<'EOF'\n" + ORIGINAL_OUTPUT + "EOF\n");
        PeerRunner runner = new PeerRunner(fake, PeerRunner.DEFAULT_TEMPLATE, 30);
        assertEquals(List.of(fake.toString(), "/d/db", "4", "get", "--requests=1000", "--threads=2"),
                runner.command(Path.of("/d/db"), 4, 2, 1000));
        PeerRunner.Run run = runner.run(Path.of("/d/db"), 4, 2, 1000);
        assertNull(run.error());
        assertNotNull(run.output());
        assertEquals(12345.6789, run.output().throughput(), 1e-9);
        assertEquals("/d/db 4 get --requests=1000 --threads=2", Files.readString(args).strip());
        assertEquals("", run.row().get("error"));
    }

    @Test
    void aFailingPeerIsRecordedNotThrown(@TempDir Path dir) throws Exception {
        Path fake = script(dir, "echo 'cannot open database' >&2\nexit 3\n");
        PeerRunner.Run run = new PeerRunner(fake, PeerRunner.DEFAULT_TEMPLATE, 30).run(Path.of("db"), 3, 1, 10);
        assertNull(run.output());
        assertTrue(run.error().contains("exit status 3") && run.error().contains("cannot open database"), run.error());
        assertTrue(Double.isNaN((Double) run.row().get("throughput")));

        PeerRunner.Run missing = new PeerRunner(dir.resolve("no-such-binary"), "{db}", 30).run(Path.of("db"), 3, 1, 10);
        assertTrue(missing.error().startsWith("could not run"), missing.error());

        Path garbage = script(dir, "echo hello\n");
        PeerRunner.Run unparsable = new PeerRunner(garbage, "{db}", 30).run(Path.of("db"), 3, 1, 10);
        assertTrue(unparsable.error().contains("no 'Average throughput"), unparsable.error());
    }

    @Test
    void aHangingPeerTimesOut(@TempDir Path dir) throws Exception {
        Path fake = script(dir, "exec sleep 30\n");
        PeerRunner.Run run = new PeerRunner(fake, "{db}", 1).run(Path.of("db"), 3, 1, 10);
        assertTrue(run.error().startsWith("timed out"), run.error());
    }
}
