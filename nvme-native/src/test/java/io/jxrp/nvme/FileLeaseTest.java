package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FileLeaseTest {
    private static final long LONG_WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Path dir;
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        TestFiles.assumeLibrary();
        dir = TestFiles.scratchDir("lease");
        file = dir.resolve("leased.txt");
        Files.writeString(file, "start\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    private Process appendFromAnotherProcess(String text) throws IOException {
        return new ProcessBuilder("sh", "-c", "echo " + text + " >> \"$0\"", file.toString())
                .redirectErrorStream(true).start();
    }

    @Test
    void aWriterInAnotherProcessBreaksTheLeaseAndWaitsForRelease() throws Exception {
        TestFiles.assumeRoot();
        try (FileLease lease = FileLease.acquire(file)) {
            assertEquals(0, lease.breakCount());
            assertTrue(lease.held());
            Process writer = appendFromAnotherProcess("x");
            try {
                assertTrue(lease.awaitBreak(LONG_WAIT_NANOS), "lease break signalled");
                assertEquals(1, lease.breakCount());
                // The writer is blocked in open() until we release (lease-break-time is 45 s by default):
                assertTrue(writer.isAlive(), "writer blocked while we hold the lease");
                assertEquals("start\n", Files.readString(file), "nothing written before release");
                lease.release();
                assertTrue(writer.waitFor(60, TimeUnit.SECONDS), "writer proceeds after release");
                assertEquals(0, writer.exitValue(), new String(writer.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            } finally {
                writer.destroyForcibly();
            }
            assertEquals("start\nx\n", Files.readString(file));
            assertTrue(lease.tryReacquire(), "no writer left: lease again");
            assertTrue(lease.held());
            assertEquals(1, lease.breakCount(), "counts are cumulative");

            // second round on the re-acquired lease
            Process second = appendFromAnotherProcess("y");
            try {
                assertTrue(lease.awaitBreak(LONG_WAIT_NANOS));
                assertEquals(2, lease.breakCount());
                lease.release();
                assertTrue(second.waitFor(60, TimeUnit.SECONDS));
            } finally {
                second.destroyForcibly();
            }
            assertEquals("start\nx\ny\n", Files.readString(file));
        }
    }

    @Test
    void reacquireFailsWhileSomeoneHoldsTheFileOpenForWriting() throws Exception {
        try (FileLease lease = FileLease.acquire(file)) {
            lease.release();
            try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
                assertTrue(writer.isOpen());
                assertFalse(lease.tryReacquire(), "EAGAIN while open for writing");
                assertFalse(lease.held());
            }
            assertTrue(lease.tryReacquire());
        }
    }

    @Test
    void acquireFailsWithEagainWhileThisProcessWritesTheFile() throws IOException {
        try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            assertTrue(writer.isOpen());
            NativeIOException e = assertThrows(NativeIOException.class, () -> FileLease.acquire(file));
            assertEquals("EAGAIN", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()));
        }
    }

    @Test
    void awaitBreakTimesOutWithoutABreak() throws IOException {
        try (FileLease lease = FileLease.acquire(file)) {
            assertFalse(lease.awaitBreak(TimeUnit.MILLISECONDS.toNanos(20)));
            assertFalse(lease.awaitBreak(0));
            assertEquals(0, lease.breakCount());
        }
    }

    @Test
    void closeWakesAWaiterAndUseAfterCloseThrows() throws Exception {
        FileLease lease = FileLease.acquire(file);
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return lease.awaitBreak(-1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50);
        lease.close();
        lease.close(); // idempotent
        try {
            assertFalse(waiter.get(60, TimeUnit.SECONDS), "woken by close, not a break");
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString()); // started after close
        }
        assertThrows(IllegalStateException.class, lease::breakCount);
        assertThrows(IllegalStateException.class, lease::release);
        assertThrows(IllegalStateException.class, lease::tryReacquire);
        // the file is free again: a writer does not block
        Files.writeString(file, "after\n", StandardOpenOption.APPEND);
    }

    @Test
    void manyLeasesCanBeTakenAndReturned() throws IOException {
        for (int round = 0; round < 300; round++) { // more than the shim's 256 slots: ids are recycled
            try (FileLease lease = FileLease.acquire(file)) {
                assertEquals(0, lease.breakCount());
            }
        }
    }

    /** SIGIO (the kernel's fallback when it cannot queue our signal) must count, not kill the JVM. */
    @Test
    void plainSigioCountsAsABreakOnEveryLease() throws Exception {
        try (FileLease lease = FileLease.acquire(file)) {
            Process kill = new ProcessBuilder("kill", "-IO", Long.toString(ProcessHandle.current().pid())).start();
            assertTrue(kill.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, kill.exitValue());
            assertTrue(lease.awaitBreak(LONG_WAIT_NANOS));
            assertEquals(1, lease.breakCount(), "a spurious break, counted");
        }
    }

    @Test
    void signalIsARealTimeSignalTheJvmDoesNotUse() {
        int signal = FileLease.signalNumber();
        assertTrue(signal >= 34 && signal < 62, "SIGRTMIN+n, below NIO's SIGRTMAX-2: " + signal);
    }
}
