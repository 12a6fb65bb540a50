package io.jxrp.nvme.spdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.nvme.NativeIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A target killed mid-run: error completions (never a hang or a crash), a failed controller, a clean close. */
class SpdkFaultTest {
    private static final int SECTOR = 512;
    private static final int BUFFER = 4096;
    private static final int EIO = 5;
    private static final int ENXIO = 6;
    private static final int ETIMEDOUT = 110;

    private static Path scratch(String name) throws IOException {
        Path dir = Path.of("target/test-io/" + name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    @Test
    void targetThatStopsAnsweringTimesOut() throws Exception {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, reason);
        Path dir = scratch("spdk-stop");
        String previous = System.setProperty("jxrp.spdk.ioTimeoutMillis", "2000");
        try (NvmfTarget target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir,
                List.of(new NvmfTarget.Malloc("Malloc0", 8192, SECTOR)), true);
             SpdkController controller = SpdkController.connect(target.namespace(1));
             SpdkQueuePair qp = SpdkQueuePair.open(8, 8, BUFFER)) {
            int handle = qp.attach(controller, 1);
            qp.addRead(0, handle, 0, BUFFER, 0);
            while (qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(10)) == 0) {
                assertTrue(qp.inflight() > 0 || qp.staged() > 0, "the first read vanished");
            }
            signal("STOP", target.pid());
            try {
                for (int i = 0; i < 8; i++) {
                    qp.addRead(i, handle, (long) i * BUFFER, BUFFER, i);
                }
                Set<Long> pending = new HashSet<>(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L));
                long started = System.nanoTime();
                while (!pending.isEmpty()) {
                    assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60),
                            "reads to a stopped target still pending after 60 s: " + pending);
                    int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(1));
                    for (int i = 0; i < n; i++) {
                        assertTrue(pending.remove(qp.completionTag(i)));
                        int result = qp.completionResult(i);
                        assertTrue(result == -ETIMEDOUT || result == -EIO, "result " + result);
                    }
                }
                qp.addRead(9, handle, 0, BUFFER, 0);
                assertEquals(1, qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(10)));
                assertEquals(-ENXIO, qp.completionResult(0));
            } finally {
                signal("CONT", target.pid());
            }
        } finally {
            if (previous == null) {
                System.clearProperty("jxrp.spdk.ioTimeoutMillis");
            } else {
                System.setProperty("jxrp.spdk.ioTimeoutMillis", previous);
            }
        }
    }

    @Test
    void targetKilledMidRunTurnsInFlightAndLaterIoIntoErrors() throws Exception {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, reason);
        Path dir = scratch("spdk-fault");
        Path file = dir.resolve("aio.img");
        Files.write(file, new byte[4 << 20]);
        try (NvmfTarget target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir, List.of(
                new NvmfTarget.Malloc("Malloc0", 8192, SECTOR), new NvmfTarget.Aio("Aio0", file, SECTOR)), true);
             SpdkController controller = SpdkController.connect(target.namespace(1));
             SpdkQueuePair qp = SpdkQueuePair.open(32, 32, BUFFER)) {
            int malloc = qp.attach(controller, 1);
            int aio = qp.attach(controller, 2);
            long tag = 0;
            Set<Long> pending = new HashSet<>();
            int ok = 0;
            int errors = 0;
            boolean killed = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int errorsAfterKill = 0;
            while (errorsAfterKill < 200) {
                assertTrue(System.nanoTime() < deadline, "no error completions 60 s after the kill (hang?)");
                while (pending.size() < 32 && qp.staged() < 32) {
                    int handle = (tag & 1) == 0 ? malloc : aio;
                    qp.addRead(tag, handle, (tag % 1000) * BUFFER, BUFFER, (int) (tag % 32));
                    pending.add(tag++);
                }
                int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(5));
                for (int i = 0; i < n; i++) {
                    assertTrue(pending.remove(qp.completionTag(i)), "unknown or repeated tag " + qp.completionTag(i));
                    int result = qp.completionResult(i);
                    if (result == BUFFER) {
                        ok++;
                    } else {
                        assertTrue(result == -EIO || result == -ENXIO, "result " + result + " after " + ok + " reads");
                        assertTrue(killed, "an error before the target was killed: " + result);
                        errors++;
                        errorsAfterKill++;
                    }
                }
                if (!killed && ok >= 2000) {
                    target.kill();
                    killed = true;
                }
            }
            assertTrue(ok >= 2000 && errors >= 200, ok + " reads, " + errors + " errors");
            // every descriptor still outstanding completes too
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!pending.isEmpty() && System.nanoTime() < drainDeadline) {
                int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(1));
                for (int i = 0; i < n; i++) {
                    assertTrue(pending.remove(qp.completionTag(i)));
                    assertTrue(qp.completionResult(i) < 0);
                }
            }
            assertEquals(Set.of(), pending);
            long failDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!controller.isFailed() && System.nanoTime() < failDeadline) {
                Thread.sleep(100); // the keep-alive poll notices within about a second
            }
            assertTrue(controller.isFailed(), "controller not marked failed");
            try (SpdkQueuePair other = SpdkQueuePair.open(4, 4, BUFFER)) {
                NativeIOException refused = assertThrows(NativeIOException.class, () -> other.attach(controller, 1));
                assertEquals(ENXIO, refused.errno(), refused.getMessage());
            }
            qp.detach(malloc);
        }
    }
}
