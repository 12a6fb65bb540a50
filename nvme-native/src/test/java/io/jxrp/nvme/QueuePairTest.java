package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue pair over files; {@link PassthruRingQueuePairTest} runs it again on a passthrough ring. Any
 * test here could hang in a native call (a lost completion or wake-up, a close that never drains),
 * where an interrupt cannot reach it: each test runs on its own thread and fails at the deadline while
 * the stuck call stays behind.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueuePairTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 256;

    private Path dir;
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        TestFiles.assumeUring();
        dir = TestFiles.scratchDir("qp");
        file = dir.resolve("data.bin");
        Files.write(file, new byte[BLOCK * BLOCKS]);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    /** How the queue pairs under test are opened. */
    QueuePair open(QueuePairConfig cfg) throws IOException {
        return QueuePair.open(cfg);
    }

    private static QueuePairConfig config(Path file, boolean writable, int depth, int buffers) {
        return new QueuePairConfig(List.of(file), writable, depth, buffers, BLOCK);
    }

    /** Reaps until `count` completions arrived; returns tag -> result. */
    private static Map<Long, Integer> reapAll(QueuePair qp, int count) throws IOException {
        Map<Long, Integer> results = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (results.size() < count) {
            int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(1));
            for (int i = 0; i < n; i++) {
                results.put(qp.completionTag(i), qp.completionResult(i));
            }
            assertTrue(System.nanoTime() - deadline < 0,
                    "only " + results.size() + " of " + count + " completions arrived in 30 s");
        }
        return results;
    }

    private static void fill(MemorySegment buffer, long seed) {
        Random random = new Random(seed);
        for (long i = 0; i < buffer.byteSize(); i += 8) {
            buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
    }

    private static byte[] expected(long seed, int length) {
        byte[] bytes = new byte[length];
        MemorySegment segment = MemorySegment.ofArray(bytes);
        fill(segment, seed);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 8, 32})
    void writesThenReadsBackRandomBlocks(int depth) throws IOException {
        long seed = TestFiles.seed("writesThenReadsBackRandomBlocks depth=" + depth);
        Random random = new Random(seed);
        int buffers = Math.max(depth, 4);
        Map<Integer, Long> contentSeedByBlock = new HashMap<>();
        try (QueuePair qp = open(config(file, true, depth, buffers))) {
            // writes: up to `buffers` in flight, each from its own slot
            ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
            for (int s = 0; s < buffers; s++) {
                freeSlots.add(s);
            }
            Map<Long, Integer> slotByTag = new HashMap<>();
            // distinct blocks in random order, so concurrent writes never overlap and the model is exact
            List<Integer> order = new java.util.ArrayList<>(java.util.stream.IntStream.range(0, BLOCKS).boxed().toList());
            java.util.Collections.shuffle(order, random);
            int writes = 64;
            int done = 0;
            int tag = 0;
            while (done < writes) {
                while (!freeSlots.isEmpty() && tag < writes) {
                    int slot = freeSlots.poll();
                    int block = order.get(tag);
                    long contentSeed = random.nextLong();
                    fill(qp.buffer(slot), contentSeed);
                    contentSeedByBlock.put(block, contentSeed);
                    qp.addWrite(tag, 0, (long) block * BLOCK, BLOCK, slot);
                    slotByTag.put((long) tag, slot);
                    tag++;
                }
                int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(10));
                for (int i = 0; i < n; i++) {
                    assertEquals(BLOCK, qp.completionResult(i), "write result");
                    freeSlots.add(slotByTag.remove(qp.completionTag(i)));
                    done++;
                }
            }
            // reads of every written block, depth at a time, verified
            List<Integer> blocks = List.copyOf(contentSeedByBlock.keySet());
            int next = 0;
            while (next < blocks.size()) {
                int batch = Math.min(buffers, blocks.size() - next);
                for (int i = 0; i < batch; i++) {
                    qp.addRead(next + i, 0, (long) blocks.get(next + i) * BLOCK, BLOCK, i);
                }
                Map<Long, Integer> results = reapAll(qp, batch);
                for (int i = 0; i < batch; i++) {
                    assertEquals(BLOCK, results.get((long) (next + i)));
                    byte[] actual = qp.buffer(i).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(expected(contentSeedByBlock.get(blocks.get(next + i)), BLOCK), actual,
                            "block " + blocks.get(next + i));
                }
                next += batch;
            }
        }
    }

    @Test
    void readsWhatWasWrittenWithPlainIo() throws IOException {
        byte[] content = expected(42, BLOCK * 4);
        Files.write(file, content);
        try (QueuePair qp = open(QueuePairConfig.readOnly(file, 4, 4, BLOCK))) {
            for (int i = 0; i < 4; i++) {
                qp.addRead(100 + i, 0, (long) (3 - i) * BLOCK, BLOCK, i);
            }
            Map<Long, Integer> results = reapAll(qp, 4);
            for (int i = 0; i < 4; i++) {
                assertEquals(BLOCK, results.get(100L + i));
                byte[] actual = qp.buffer(i).toArray(ValueLayout.JAVA_BYTE);
                byte[] want = java.util.Arrays.copyOfRange(content, (3 - i) * BLOCK, (4 - i) * BLOCK);
                assertArrayEquals(want, actual);
            }
        }
    }

    @Test
    void batchLargerThanTheSubmissionQueueStaysStaged() throws IOException {
        int depth = 4;
        int buffers = 64;
        try (QueuePair qp = open(config(file, false, depth, buffers))) {
            for (int i = 0; i < buffers; i++) {
                qp.addRead(i, 0, (long) i * BLOCK, BLOCK, i);
            }
            assertEquals(buffers, qp.staged());
            Map<Long, Integer> results = new HashMap<>();
            int calls = 0;
            while (results.size() < buffers) {
                int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(10));
                assertTrue(n <= depth, "at most depth completions per call");
                for (int i = 0; i < n; i++) {
                    results.put(qp.completionTag(i), qp.completionResult(i));
                }
                assertTrue(qp.staged() < buffers || n > 0 || calls == 0);
                assertTrue(++calls < 10_000);
            }
            assertEquals(0, qp.staged());
            for (int i = 0; i < buffers; i++) {
                assertEquals(BLOCK, results.get((long) i), "tag " + i);
            }
        }
    }

    @Test
    void readPastEndOfFileAndMisalignedOffsetsReportResults() throws IOException {
        try (QueuePair qp = open(config(file, false, 8, 8))) {
            long size = (long) BLOCK * BLOCKS;
            qp.addRead(1, 0, size, BLOCK, 0);             // at EOF: 0 bytes
            qp.addRead(2, 0, size + 10L * BLOCK, BLOCK, 1); // past EOF: 0 bytes
            qp.addRead(3, 0, 100, BLOCK, 2);              // misaligned offset: -EINVAL
            qp.addRead(4, 0, 0, 100, 3);                  // misaligned length: -EINVAL
            qp.addRead(5, 0, -4096, BLOCK, 4);            // negative offset: -EINVAL
            qp.addRead(6, 0, size - BLOCK, BLOCK, 5);     // last block: full
            Map<Long, Integer> results = reapAll(qp, 6);
            assertEquals(0, results.get(1L));
            assertEquals(0, results.get(2L));
            assertEquals(-22, results.get(3L));
            assertEquals(-22, results.get(4L));
            assertEquals(-22, results.get(5L));
            assertEquals(BLOCK, results.get(6L));
        }
    }

    @Test
    void writeOnReadOnlyQueuePairIsRefused() throws IOException {
        try (QueuePair qp = open(config(file, false, 2, 2))) {
            assertThrows(IllegalStateException.class, () -> qp.addWrite(1, 0, 0, BLOCK, 0));
        }
    }

    @Test
    void argumentsAreValidated() throws IOException {
        try (QueuePair qp = open(config(file, false, 2, 2))) {
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(1, 1, 0, BLOCK, 0));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(1, 0, 0, BLOCK, 2));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(1, 0, 0, BLOCK + 1, 0));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(-2, 0, 0, BLOCK, 0));
            assertThrows(IllegalArgumentException.class, () -> qp.buffer(-1));
            for (int i = 0; i < qp.stagingCapacity(); i++) {
                qp.addRead(i, 0, 0, BLOCK, 0);
            }
            assertThrows(IllegalStateException.class, () -> qp.addRead(99, 0, 0, BLOCK, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> new QueuePairConfig(List.of(file), false, 3, 1, BLOCK));
        assertThrows(IllegalArgumentException.class, () -> new QueuePairConfig(List.of(file), false, 4, 1, 1000));
        assertThrows(IllegalArgumentException.class, () -> new QueuePairConfig(List.of(), false, 4, 1, BLOCK, 0));
        assertThrows(IllegalArgumentException.class, () -> new QueuePairConfig(List.of(file, file), false, 4, 1, BLOCK, 1));
    }

    @Test
    void wakeupFromAnotherThreadEndsALongWait() throws Exception {
        try (QueuePair qp = open(config(file, false, 4, 4))) {
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return qp.submitAndReap(1, -1); // nothing in flight: only a wake-up can end this
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The wake-up may land before or during the wait: both must end it.
            Thread.sleep(50);
            qp.wakeup();
            assertEquals(0, waiter.get(60, TimeUnit.SECONDS));
            // a wake-up before the call makes the next call return at once, and is consumed by it
            qp.wakeup();
            assertEquals(0, qp.submitAndReap(1, -1));
            assertEquals(0, qp.submitAndReap(1, TimeUnit.MILLISECONDS.toNanos(20)));
            // still works for I/O afterwards
            qp.addRead(7, 0, 0, BLOCK, 0);
            assertEquals(Map.of(7L, BLOCK), reapAll(qp, 1));
        }
    }

    /** Wake-ups racing real completions: none lost, none invented, the ring keeps working. */
    @Test
    void wakeupsRacingIoLoseNoCompletions() throws Exception {
        int total = 2000;
        try (QueuePair qp = open(config(file, false, 8, 8))) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread waker = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    qp.wakeup();
                    Thread.onSpinWait();
                }
            });
            try {
                java.util.BitSet seen = new java.util.BitSet(total);
                int submitted = 0;
                int completed = 0;
                int inFlight = 0;
                int[] slotOfTag = new int[total];
                ArrayDeque<Integer> freeSlots = new ArrayDeque<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
                while (completed < total) {
                    while (submitted < total && !freeSlots.isEmpty()) {
                        int slot = freeSlots.poll();
                        slotOfTag[submitted] = slot;
                        qp.addRead(submitted, 0, (long) (submitted % BLOCKS) * BLOCK, BLOCK, slot);
                        submitted++;
                        inFlight++;
                    }
                    int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(30));
                    for (int i = 0; i < n; i++) {
                        int tag = (int) qp.completionTag(i);
                        assertEquals(BLOCK, qp.completionResult(i), "tag " + tag);
                        assertFalse(seen.get(tag), "tag " + tag + " reported twice");
                        seen.set(tag);
                        freeSlots.add(slotOfTag[tag]);
                        completed++;
                        inFlight--;
                    }
                    assertTrue(inFlight >= 0);
                }
                assertEquals(total, seen.cardinality());
            } finally {
                stop.set(true);
                waker.join();
            }
        }
    }

    @Test
    void timeoutEndsAWaitWithNothingInFlight() throws IOException {
        try (QueuePair qp = open(config(file, false, 2, 2))) {
            assertEquals(0, qp.submitAndReap(1, TimeUnit.MILLISECONDS.toNanos(10)));
            assertEquals(0, qp.submitAndReap(0, -1));
        }
    }

    /**
     * Close with reads in flight, 20 times: it drains them (the slab is freed, which it is not when
     * reads are still in the kernel's hands), closes the ring, its eventfd and every attached file,
     * refuses further use, and is idempotent. The class timeout catches a close that hangs.
     */
    @Test
    void closeWithIoInFlightDrainsAndReleasesEverything() throws IOException {
        Map<String, Integer> before = kernelObjects(file);
        for (int round = 0; round < 20; round++) {
            QueuePair qp = open(config(file, false, 32, 64));
            MemorySegment slab;
            try {
                for (int i = 0; i < 64; i++) {
                    qp.addRead(i, 0, (long) (i % BLOCKS) * BLOCK, BLOCK, i);
                }
                qp.submitAndReap(0, 0);
                assertTrue(qp.staged() < 64, "reads went to the kernel before close");
                slab = qp.buffer(0);
                assertEquals(1, kernelObjects(file).get("io_uring") - before.get("io_uring"), "this queue pair's ring");
            } finally {
                qp.close();
            }
            assertTrue(qp.isClosed());
            assertThrows(IllegalStateException.class, () -> qp.submitAndReap(0, 0));
            assertThrows(IllegalStateException.class, () -> slab.get(ValueLayout.JAVA_BYTE, 0),
                    "the slab is freed once the reads in flight drained");
            qp.close(); // idempotent
            assertEquals(before, kernelObjects(file), "ring, eventfd and file closed after round " + round);
        }
    }

    /**
     * How many of this process's descriptors are io_uring instances, eventfds and {@code file},
     * from /proc/self/fd: what a queue pair holds open.
     */
    private static Map<String, Integer> kernelObjects(Path file) throws IOException {
        Map<String, Integer> counts = new HashMap<>(Map.of("io_uring", 0, "eventfd", 0, "file", 0));
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) { // the descriptor the listing itself used, or one closed since
                    continue;
                }
                if (target.equals("anon_inode:[io_uring]")) {
                    counts.merge("io_uring", 1, Integer::sum);
                } else if (target.equals("anon_inode:[eventfd]")) {
                    counts.merge("eventfd", 1, Integer::sum);
                } else if (target.equals(real.toString())) {
                    counts.merge("file", 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** The registered buffer count (fdinfo's UserBufs) of every io_uring this process has open. */
    private static List<Integer> registeredBufferCounts() throws IOException {
        List<Integer> counts = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (!target.equals("anon_inode:[io_uring]")) {
                    continue;
                }
                for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo").resolve(fd.getFileName()))) {
                    if (line.startsWith("UserBufs:")) {
                        counts.add(Integer.parseInt(line.substring("UserBufs:".length()).trim()));
                    }
                }
            }
        }
        return counts;
    }

    @Test
    void closeFromAnotherThreadWakesTheOwner() throws Exception {
        QueuePair qp = open(config(file, false, 4, 4));
        CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return qp.submitAndReap(1, -1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50);
        qp.close();
        // either it returned 0, or it started after close and threw IllegalStateException
        try {
            assertEquals(0, waiter.get(60, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        }
    }

    @Test
    void useAfterCloseThrows() throws IOException {
        QueuePair qp = open(config(file, true, 2, 2));
        qp.close();
        assertTrue(qp.isClosed());
        assertThrows(IllegalStateException.class, () -> qp.addRead(1, 0, 0, BLOCK, 0));
        assertThrows(IllegalStateException.class, () -> qp.addWrite(1, 0, 0, BLOCK, 0));
        assertThrows(IllegalStateException.class, () -> qp.submitAndReap(0, 0));
        assertThrows(IllegalStateException.class, () -> qp.buffer(0));
        qp.wakeup(); // documented no-op
    }

    @Test
    void openErrorsNameThePathAndErrno() {
        Path missing = dir.resolve("missing.bin");
        IOException e = assertThrows(IOException.class,
                () -> open(QueuePairConfig.readOnly(missing, 2, 2, BLOCK)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
    }

    @Test
    void multipleFilesAreAddressedByIndex() throws IOException {
        Path second = dir.resolve("second.bin");
        byte[] one = expected(1, BLOCK);
        byte[] two = expected(2, BLOCK);
        Files.write(file, one);
        Files.write(second, two);
        try (QueuePair qp = open(new QueuePairConfig(List.of(file, second), false, 2, 2, BLOCK))) {
            qp.addRead(0, 0, 0, BLOCK, 0);
            qp.addRead(1, 1, 0, BLOCK, 1);
            reapAll(qp, 2);
            assertArrayEquals(one, qp.buffer(0).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(two, qp.buffer(1).toArray(ValueLayout.JAVA_BYTE));
            assertFalse(qp.isClosed());
        }
    }

    @Test
    void filesAttachAndDetachWhileOthersHaveIoInFlight() throws IOException {
        long seed = TestFiles.seed("filesAttachAndDetachWhileOthersHaveIoInFlight");
        Random random = new Random(seed);
        int fileCount = 12;
        Path[] paths = new Path[fileCount];
        for (int f = 0; f < fileCount; f++) {
            paths[f] = dir.resolve("f" + f + ".bin");
            Files.write(paths[f], expected(100 + f, BLOCK * 2));
        }
        try (QueuePair qp = open(QueuePairConfig.empty(16, 16, BLOCK))) {
            assertTrue(qp.files().isEmpty());
            Map<Integer, Integer> fileByHandle = new HashMap<>();
            for (int round = 0; round < 40; round++) {
                if (fileByHandle.size() < fileCount && (fileByHandle.isEmpty() || random.nextBoolean())) {
                    int f = random.nextInt(fileCount);
                    int h = qp.attach(paths[f], false);
                    assertTrue(fileByHandle.putIfAbsent(h, f) == null, "handle " + h + " handed out twice");
                    assertEquals(paths[f], qp.file(h));
                }
                // a read on every attached file, then detach one while the reads are in flight
                List<Integer> handles = List.copyOf(fileByHandle.keySet());
                for (int i = 0; i < handles.size(); i++) {
                    qp.addRead(handles.get(i), handles.get(i), BLOCK, BLOCK, i);
                }
                Map<Long, Integer> results = new HashMap<>();
                int early = qp.submitAndReap(0, 0); // submits; may already reap some
                for (int i = 0; i < early; i++) {
                    results.put(qp.completionTag(i), qp.completionResult(i));
                }
                int gone = handles.get(random.nextInt(handles.size()));
                qp.detach(gone);
                results.putAll(reapAll(qp, handles.size() - early));
                for (int i = 0; i < handles.size(); i++) {
                    int h = handles.get(i);
                    assertEquals(BLOCK, results.get((long) h), "read on handle " + h);
                    byte[] whole = expected(100 + fileByHandle.get(h), BLOCK * 2);
                    assertArrayEquals(java.util.Arrays.copyOfRange(whole, BLOCK, 2 * BLOCK),
                            qp.buffer(i).toArray(ValueLayout.JAVA_BYTE), "file behind handle " + h);
                }
                fileByHandle.remove(gone);
                assertThrows(IllegalArgumentException.class, () -> qp.addRead(1, gone, 0, BLOCK, 0));
                assertEquals(fileByHandle.size(), qp.files().size());
            }
        }
    }

    @Test
    void aFullFileTableIsEmfileAndAFreedHandleIsReused() throws IOException {
        try (QueuePair qp = open(new QueuePairConfig(List.of(), false, 2, 2, BLOCK, 2))) {
            assertEquals(0, qp.attach(file, false));
            assertEquals(1, qp.attach(file, false));
            IOException e = assertThrows(IOException.class, () -> qp.attach(file, false));
            assertTrue(e.getMessage().contains("EMFILE") && e.getMessage().contains(file.toString()), e.getMessage());
            qp.detach(0);
            assertEquals(0, qp.attach(file, false));
            assertThrows(IllegalArgumentException.class, () -> qp.detach(5));
        }
    }

    @Test
    void flushCompletesAfterWritesAndNeedsAWritableFile() throws IOException {
        try (QueuePair qp = open(QueuePairConfig.empty(4, 4, BLOCK))) {
            int ro = qp.attach(file, false);
            int rw = qp.attach(file, true);
            assertThrows(IllegalStateException.class, () -> qp.addFlush(1, ro));
            assertThrows(IllegalStateException.class, () -> qp.addWrite(1, ro, 0, BLOCK, 0));
            fill(qp.buffer(0), 7);
            qp.addWrite(1, rw, 3L * BLOCK, BLOCK, 0);
            assertEquals(BLOCK, reapAll(qp, 1).get(1L));
            qp.addFlush(2, rw);
            assertEquals(0, reapAll(qp, 1).get(2L), "fdatasync result");
            byte[] onDisk = java.util.Arrays.copyOfRange(Files.readAllBytes(file), 3 * BLOCK, 4 * BLOCK);
            assertArrayEquals(expected(7, BLOCK), onDisk);
        }
    }

    /**
     * The slab is registered as fixed buffers (the kernel's fdinfo counts them), and where the kernel
     * refuses the registration (more buffers than io_uring registers, IORING_MAX_REG_BUFFERS = 16384)
     * the queue pair says so and reads into the same slab without them.
     */
    @Test
    void registersFixedBuffersAndSaysWhenTheKernelRefuses() throws IOException {
        byte[] content = expected(9, BLOCK * 2);
        Files.write(file, content);
        try (QueuePair qp = open(config(file, false, 2, 2))) {
            assertTrue(qp.fixedBuffers(), "two 4 KiB buffers are far below any locked-memory limit: " + qp);
            assertEquals(List.of(2), registeredBufferCounts(), "the kernel's registered buffers (fdinfo UserBufs)");
            assertEquals(0, qp.buffer(1).address() % 4096, "4096-aligned");
            qp.addRead(1, 0, BLOCK, BLOCK, 1);
            assertEquals(Map.of(1L, BLOCK), reapAll(qp, 1));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, BLOCK, 2 * BLOCK), qp.buffer(1).toArray(ValueLayout.JAVA_BYTE));
        }
        int tooMany = 16_385;
        try (QueuePair qp = open(config(file, false, 2, tooMany))) {
            assertFalse(qp.fixedBuffers(), "the kernel registers at most 16384 buffers: " + qp);
            assertEquals(List.of(0), registeredBufferCounts(), "nothing registered");
            qp.addRead(2, 0, BLOCK, BLOCK, tooMany - 1);
            assertEquals(Map.of(2L, BLOCK), reapAll(qp, 1));
            assertArrayEquals(java.util.Arrays.copyOfRange(content, BLOCK, 2 * BLOCK),
                    qp.buffer(tooMany - 1).toArray(ValueLayout.JAVA_BYTE), "a plain read into the same slab");
        }
    }
}
