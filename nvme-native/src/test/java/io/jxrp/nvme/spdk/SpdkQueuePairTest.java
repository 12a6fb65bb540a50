package io.jxrp.nvme.spdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.nvme.NativeIOException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SpdkQueuePair} against SPDK's nvmf_tgt on 127.0.0.1: namespace 1 a malloc bdev, namespace 2
 * an aio bdev over a file. Every read is checked against a byte model of the namespace.
 */
class SpdkQueuePairTest {
    private static final int SECTOR = 512;
    private static final int BUFFER = 4096;
    private static final int MALLOC_BLOCKS = 8192; // 4 MiB
    private static final int FILE_BYTES = 4 << 20;
    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);

    private static Path dir;
    private static Path file;
    private static NvmfTarget target;
    private static SpdkController controller;
    /** Byte models of namespaces 1 and 2, updated by the tests' writes. */
    private static byte[][] models;

    @BeforeAll
    static void startTarget() throws IOException {
        String reason = SpdkInstall.unavailableReason();
        assumeTrue(reason == null, reason);
        dir = Path.of("target/test-io/spdk-qp-" + ProcessHandle.current().pid()).toAbsolutePath();
        Files.createDirectories(dir);
        file = dir.resolve("aio.img");
        byte[] content = new byte[FILE_BYTES];
        new Random(42).nextBytes(content);
        Files.write(file, content);
        models = new byte[][] {new byte[MALLOC_BLOCKS * SECTOR], content.clone()};
        target = NvmfTarget.start(SpdkInstall.find().orElseThrow(), dir, List.of(
                new NvmfTarget.Malloc("Malloc0", MALLOC_BLOCKS, SECTOR),
                new NvmfTarget.Aio("Aio0", file, SECTOR)), true);
        controller = SpdkController.connect(target.namespace(1));
    }

    @AfterAll
    static void stopTarget() {
        if (controller != null) {
            controller.close();
        }
        if (target != null) {
            target.close();
        }
    }

    private static Map<Long, Integer> reapAll(SpdkQueuePair qp, int count) {
        Map<Long, Integer> results = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (results.size() < count) {
            assertTrue(System.nanoTime() < deadline, "completions missing: got " + results.size() + " of " + count);
            int n = qp.submitAndReap(1, WAIT);
            for (int i = 0; i < n; i++) {
                Integer previous = results.put(qp.completionTag(i), qp.completionResult(i));
                assertEquals(null, previous, "tag " + qp.completionTag(i) + " completed twice");
            }
        }
        return results;
    }

    @Test
    void namespaceFacts() throws IOException {
        NamespaceInfo malloc = controller.namespace(1);
        assertEquals(SECTOR, malloc.sectorSizeBytes());
        assertEquals(MALLOC_BLOCKS, malloc.sectorCount());
        NamespaceInfo aio = controller.namespace(2);
        assertEquals((long) FILE_BYTES, aio.sizeBytes());
        NativeIOException missing = assertThrows(NativeIOException.class, () -> controller.namespace(3));
        assertEquals(2, missing.errno(), missing.getMessage()); // ENOENT
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void randomReadsAndWritesMatchTheModel(int nsid) throws IOException {
        long seed = Long.getLong("jxrp.test.seed", System.nanoTime());
        System.out.println("randomReadsAndWritesMatchTheModel ns " + nsid + " seed=" + seed);
        Random random = new Random(seed);
        byte[] model = models[nsid - 1];
        try (SpdkQueuePair qp = SpdkQueuePair.open(32, 32, BUFFER)) {
            int handle = qp.attach(controller, nsid);
            for (int round = 0; round < 20; round++) {
                boolean write = round % 3 == 2;
                int batch = 1 + random.nextInt(32);
                long[] offsets = new long[batch];
                int[] lengths = new int[batch];
                for (int i = 0; i < batch; i++) {
                    lengths[i] = SECTOR * (1 + random.nextInt(BUFFER / SECTOR));
                    // distinct sectors within a write batch: two writes to one sector race
                    offsets[i] = (long) SECTOR * ((write ? i * (model.length / SECTOR / batch)
                            : random.nextInt(model.length / SECTOR - BUFFER / SECTOR)));
                    if (write) {
                        lengths[i] = Math.min(lengths[i], (model.length / batch / SECTOR) * SECTOR);
                        byte[] data = new byte[lengths[i]];
                        random.nextBytes(data);
                        MemorySegment.copy(MemorySegment.ofArray(data), 0, qp.buffer(i), 0, data.length);
                        System.arraycopy(data, 0, model, (int) offsets[i], data.length);
                        qp.addWrite(i, handle, offsets[i], lengths[i], i);
                    } else {
                        qp.addRead(i, handle, offsets[i], lengths[i], i);
                    }
                }
                Map<Long, Integer> results = reapAll(qp, batch);
                for (int i = 0; i < batch; i++) {
                    assertEquals(lengths[i], results.get((long) i), "round " + round + " descriptor " + i);
                    if (!write) {
                        byte[] got = qp.buffer(i).asSlice(0, lengths[i]).toArray(ValueLayout.JAVA_BYTE);
                        byte[] want = new byte[lengths[i]];
                        System.arraycopy(model, (int) offsets[i], want, 0, lengths[i]);
                        assertArrayEquals(want, got, "ns " + nsid + " offset " + offsets[i]);
                    }
                }
            }
            qp.addFlush(99, handle);
            assertEquals(0, reapAll(qp, 1).get(99L));
            qp.detach(handle);
        }
    }

    @Test
    void batchLargerThanDepthStaysStagedUntilSlotsFree() throws IOException {
        try (SpdkQueuePair qp = SpdkQueuePair.open(4, 16, BUFFER)) {
            int handle = qp.attach(controller, 2);
            for (int i = 0; i < 16; i++) {
                qp.addRead(i, handle, (long) i * BUFFER, BUFFER, i);
            }
            assertEquals(16, qp.staged());
            int n = qp.submitAndReap(0, 0);
            assertTrue(qp.staged() >= 12, "at most depth (4) taken, staged " + qp.staged());
            Map<Long, Integer> results = new HashMap<>();
            for (int i = 0; i < n; i++) {
                results.put(qp.completionTag(i), qp.completionResult(i));
            }
            results.putAll(reapAll(qp, 16 - results.size()));
            assertEquals(0, qp.staged());
            for (int i = 0; i < 16; i++) {
                assertEquals(BUFFER, results.get((long) i));
                byte[] want = new byte[BUFFER];
                System.arraycopy(models[1], i * BUFFER, want, 0, BUFFER);
                assertArrayEquals(want, qp.buffer(i).toArray(ValueLayout.JAVA_BYTE), "block " + i);
            }
        }
    }

    @Test
    void badDescriptorsCompleteWithErrorsAndTheRestOfTheBatchRuns() throws IOException {
        try (SpdkQueuePair qp = SpdkQueuePair.open(16, 8, BUFFER)) {
            int handle = qp.attach(controller, 1);
            long size = controller.namespace(1).sizeBytes();
            qp.addRead(1, handle, 100, SECTOR, 0);              // offset not a sector multiple
            qp.addRead(2, handle, 0, 100, 1);                   // length not a sector multiple
            qp.addRead(3, handle + 7, 0, SECTOR, 2);            // not an attached handle
            qp.addRead(4, handle, size, SECTOR, 3);             // at the end: 0 bytes
            qp.addRead(5, handle, size - SECTOR, 2 * SECTOR, 4); // across the end: short
            qp.addWrite(6, handle, size - SECTOR, 2 * SECTOR, 5); // write across the end
            qp.addRead(7, handle, 0, SECTOR, 6);                // fine
            Map<Long, Integer> r = reapAll(qp, 7);
            assertEquals(-22, r.get(1L));
            assertEquals(-22, r.get(2L));
            assertEquals(-9, r.get(3L));
            assertEquals(0, r.get(4L));
            assertEquals(SECTOR, r.get(5L));
            assertEquals(-28, r.get(6L));
            assertEquals(SECTOR, r.get(7L));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(8, handle, 0, BUFFER + SECTOR, 0));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(8, handle, 0, SECTOR, 8));
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(-1, handle, 0, SECTOR, 0));
            NativeIOException noNs = assertThrows(NativeIOException.class, () -> qp.attach(controller, 9));
            assertEquals(2, noNs.errno());
        }
    }

    @Test
    void detachRefusesWhileInFlightAndHandlesAreReused() throws IOException {
        try (SpdkQueuePair qp = SpdkQueuePair.open(8, 8, BUFFER)) {
            int a = qp.attach(controller, 1);
            int b = qp.attach(controller, 2);
            assertFalse(a == b);
            qp.addRead(1, b, 0, BUFFER, 0);
            qp.submitAndReap(0, 0);
            if (qp.inflight() > 0) {
                NativeIOException busy = assertThrows(NativeIOException.class, () -> qp.detach(b));
                assertEquals(16, busy.errno()); // EBUSY
            }
            reapAllRemaining(qp);
            qp.detach(b);
            assertThrows(IllegalArgumentException.class, () -> qp.detach(b));
            assertEquals(b, qp.attach(controller, 2));
        }
    }

    private static void reapAllRemaining(SpdkQueuePair qp) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (qp.inflight() > 0 && System.nanoTime() < deadline) {
            qp.submitAndReap(1, WAIT);
        }
        assertEquals(0, qp.inflight());
    }

    @Test
    void twoQueuePairsOnTwoThreads() throws Exception {
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int nsid = 2;
            long seed = 1000 + t;
            runs.add(CompletableFuture.runAsync(() -> {
                try (SpdkQueuePair qp = SpdkQueuePair.open(16, 16, BUFFER)) {
                    int handle = qp.attach(controller, nsid);
                    Random random = new Random(seed);
                    for (int round = 0; round < 200; round++) {
                        int batch = 1 + random.nextInt(16);
                        long[] offsets = new long[batch];
                        for (int i = 0; i < batch; i++) {
                            offsets[i] = (long) SECTOR * random.nextInt(FILE_BYTES / SECTOR - 8);
                            qp.addRead(i, handle, offsets[i], BUFFER, i);
                        }
                        Map<Long, Integer> results = reapAll(qp, batch);
                        for (int i = 0; i < batch; i++) {
                            assertEquals(BUFFER, results.get((long) i));
                            byte[] want = new byte[BUFFER];
                            System.arraycopy(models[1], (int) offsets[i], want, 0, BUFFER);
                            assertArrayEquals(want, qp.buffer(i).toArray(ValueLayout.JAVA_BYTE));
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    @Test
    void closedQueuePairRefusesUseAndWakeupIsHarmless() throws IOException {
        SpdkQueuePair qp = SpdkQueuePair.open(4, 4, BUFFER);
        qp.close();
        qp.close();
        qp.wakeup();
        assertThrows(IllegalStateException.class, () -> qp.buffer(0));
        assertThrows(IllegalStateException.class, () -> qp.submitAndReap(0, 0));
        assertThrows(IllegalStateException.class, () -> qp.attach(controller, 1));
    }

    @Test
    void wakeupEndsAPollWithNothingToReap() throws Exception {
        try (SpdkQueuePair qp = SpdkQueuePair.open(4, 4, BUFFER)) {
            qp.wakeup();
            assertEquals(0, qp.submitAndReap(1, -1)); // nothing outstanding: returns at once
        }
    }
}
