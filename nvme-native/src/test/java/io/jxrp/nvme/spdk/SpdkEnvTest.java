package io.jxrp.nvme.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SpdkEnvTest {
    @Test
    void theJvmKeepsItsSigbusHandlerAndAFaultOnATruncatedMappingIsAnError() throws Exception {
        assumeTrue(Spdk.isAvailable(), () -> "SPDK shim unavailable: " + Spdk.unavailabilityCause());
        Path dir = Path.of("target/test-io/spdk-env-" + ProcessHandle.current().pid()).toAbsolutePath();
        Files.createDirectories(dir);
        Path out = dir.resolve("probe.out");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SigbusProbeMain.class.getName(), dir.resolve("mapped.bin").toString()))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        assertTrue(done, "probe JVM still running after 120 s (spinning in a SIGBUS handler?):\n" + text);
        assertEquals(0, p.exitValue(), text);
        String line = text.lines().filter(l -> l.startsWith("available=")).findFirst().orElseThrow(() ->
                new AssertionError(text));
        String[] f = line.split(" ");
        assertEquals("available=true", f[0], text);
        String before = f[1].substring("before=".length());
        assertEquals("afterLoad=" + before, f[2], text);
        assertEquals("afterInit=" + before, f[3], text);
        assertTrue(text.contains("InternalError"), text);
    }

    @Test
    void deadProcessesRunDirectoriesAreSwept() throws IOException {
        assumeTrue(Spdk.isAvailable(), () -> "SPDK shim unavailable: " + Spdk.unavailabilityCause());
        assumeTrue("root".equals(System.getProperty("user.name")), "DPDK's run-time directory for root is /var/run/dpdk");
        Path base = Path.of("/var/run/dpdk");
        Files.createDirectories(base);
        // a pid above pid_max cannot be alive
        Path dead = base.resolve("spdk_pid" + (1 << 22) + 7);
        Files.createDirectories(dead);
        Files.writeString(dead.resolve("config"), "");
        Path alive = base.resolve("spdk_pid1");
        boolean aliveExisted = Files.exists(alive);
        Files.createDirectories(alive);
        try {
            assertTrue(SpdkShim.jxrp_spdk_env_sweep() >= 1);
            assertTrue(Files.notExists(dead), dead + " not swept");
            assertTrue(Files.isDirectory(alive), "the directory of a live pid (1) was removed");
        } finally {
            if (!aliveExisted) {
                Files.deleteIfExists(alive);
            }
        }
    }
}
