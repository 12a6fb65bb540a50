package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NVMe commands through io_uring on real namespaces (the guest's emulated controllers, 512 B and
 * 4 KiB blocks): what a passthrough queue pair writes the block device reads back and the other way
 * round, flushes, NVMe statuses as errnos, namespaces named by their block, generic and partition
 * devices. Randomized; the seed is printed.
 */
@Tag("nvme")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NvmePassthruQueuePairTest {
    private static final int BUFFER = 64 * 1024;
    private static final int ERANGE = 34;

    static List<Path> namespaces() {
        return NvmeTestNamespaces.raw();
    }

    static List<Path> fileSystems() {
        return NvmeTestNamespaces.fileSystems();
    }

    private static Map<Long, Integer> reapAll(QueuePair qp, int count) throws IOException {
        Map<Long, Integer> results = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (results.size() < count) {
            int n = qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(1));
            for (int i = 0; i < n; i++) {
                results.put(qp.completionTag(i), qp.completionResult(i));
            }
            assertTrue(System.nanoTime() - deadline < 0, "only " + results.size() + " of " + count + " completions in 60 s");
        }
        return results;
    }

    private static void fill(MemorySegment buffer, long length, long seed) {
        Random random = new Random(seed);
        for (long i = 0; i < length; i += 8) {
            buffer.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void whatPassthroughWritesTheBlockDeviceReadsAndBack(Path device) throws IOException {
        long seed = TestFiles.seed("whatPassthroughWritesTheBlockDeviceReadsAndBack " + device);
        NvmeNamespace ns = NvmeNamespace.probe(device, true);
        System.out.println(ns.describe() + ", passthrough " + ns.passthrough() + ", fixed buffers " + ns.fixedBuffers());
        assertTrue(ns.passthrough(), "an NVMe read through io_uring works on " + ns.describe());
        assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/block", ns.blockName(), "queue/logical_block_size")).trim()),
                ns.lbaBytes(), "LBA size from Identify vs the block layer's");
        assertEquals(Long.parseLong(Files.readString(Path.of("/sys/block", ns.blockName(), "size")).trim()) * 512,
                ns.sizeBytes(), "namespace size from Identify vs the block layer's");
        int lba = ns.lbaBytes();
        Random random = new Random(seed);
        int depth = 8;
        int ios = 96; // more than the depth and the buffers: the rest stays staged and goes later
        long span = Math.min(ns.sizeBytes(), 256L << 20) / BUFFER;
        long[] offsets = new long[ios];
        int[] lengths = new int[ios];
        java.util.Set<Long> used = new java.util.HashSet<>();
        for (int i = 0; i < ios; i++) {
            long chunk;
            do {
                chunk = random.nextLong(span);
            } while (!used.add(chunk));
            offsets[i] = chunk * BUFFER + (long) random.nextInt(BUFFER / lba) * lba;
            lengths[i] = lba * (1 + random.nextInt((int) ((chunk + 1) * BUFFER - offsets[i]) / lba));
        }
        try (QueuePair qp = QueuePair.openPassthru(QueuePairConfig.empty(depth, 2 * depth, BUFFER));
             DirectFile block = DirectFile.openReadOnly(device);
             Arena arena = Arena.ofConfined()) {
            int handle = qp.attachNamespace(ns, true);
            assertEquals(ns.fixedBuffers(), qp.nvmeFixedBuffers(), "fixed buffers as probed");
            MemorySegment check = arena.allocate(BUFFER, 4096);
            // writes in rounds of one buffer per I/O, then a flush; every write reports its length
            for (int done = 0; done < ios; done += 2 * depth) {
                int round = Math.min(2 * depth, ios - done);
                for (int k = 0; k < round; k++) {
                    int i = done + k;
                    fill(qp.buffer(k), lengths[i], seed + i);
                    qp.addWrite(i, handle, offsets[i], lengths[i], k);
                }
                Map<Long, Integer> results = reapAll(qp, round);
                for (int k = 0; k < round; k++) {
                    assertEquals(lengths[done + k], results.get((long) (done + k)), "write " + (done + k));
                }
            }
            qp.addFlush(-10, handle);
            assertEquals(0, reapAll(qp, 1).get(-10L), "NVMe flush");
            // the block device reads what passthrough wrote
            for (int i = 0; i < ios; i++) {
                assertEquals(lengths[i], block.read(check.asSlice(0, lengths[i]), offsets[i]), "pread " + i);
                MemorySegment expected = arena.allocate(lengths[i]);
                fill(expected, lengths[i], seed + i);
                assertEquals(-1, expected.mismatch(check.asSlice(0, lengths[i])), "block device read of write " + i + " at " + offsets[i]);
            }
            // and passthrough reads the same, in one batch larger than the ring
            for (int i = 0; i < ios; i++) {
                // reads into slot (i % buffers): only compared after all completed when not reused
                if (i < 2 * depth) {
                    qp.addRead(1000 + i, handle, offsets[i], lengths[i], i);
                }
            }
            Map<Long, Integer> reads = reapAll(qp, 2 * depth);
            for (int i = 0; i < 2 * depth; i++) {
                assertEquals(lengths[i], reads.get(1000L + i), "read " + i);
                MemorySegment expected = arena.allocate(lengths[i]);
                fill(expected, lengths[i], seed + i);
                assertEquals(-1, expected.mismatch(qp.buffer(i).asSlice(0, lengths[i])), "passthrough read " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void nvmeStatusesBecomeErrnosAndPartialBlocksAreRefused(Path device) throws IOException {
        NvmeNamespace ns = NvmeNamespace.probe(device, true);
        int lba = ns.lbaBytes();
        try (QueuePair qp = QueuePair.openPassthru(QueuePairConfig.empty(4, 4, BUFFER))) {
            int handle = qp.attachNamespace(ns, false);
            qp.addRead(1, handle, ns.sizeBytes(), lba, 0);              // the first block past the end
            qp.addRead(2, handle, ns.sizeBytes() - lba, 2 * lba, 1);    // across the end
            qp.addRead(3, handle, ns.sizeBytes() - lba, lba, 2);        // the last block
            Map<Long, Integer> r = reapAll(qp, 3);
            assertEquals(-ERANGE, r.get(1L), "LBA out of range -> ERANGE");
            assertEquals(-ERANGE, r.get(2L), "LBA out of range -> ERANGE");
            assertEquals(lba, r.get(3L));
            IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
                    () -> qp.addRead(4, handle, lba / 2, lba, 0));
            assertTrue(partial.getMessage().contains("whole " + lba + " B logical blocks"), partial.getMessage());
            assertThrows(IllegalArgumentException.class, () -> qp.addRead(5, handle, 0, lba / 2, 0));
            assertThrows(IllegalStateException.class, () -> qp.addWrite(6, handle, 0, lba, 0), "read-only attach");
        }
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void theGenericDeviceAndTheBlockDeviceNameOneNamespace(Path device) throws IOException {
        NvmeNamespace viaBlock = NvmeNamespace.probe(device, false);
        NvmeNamespace viaGeneric = NvmeNamespace.probe(viaBlock.genericDevice(), false);
        assertEquals(viaBlock.nsid(), viaGeneric.nsid());
        assertEquals(viaBlock.blockName(), viaGeneric.blockName());
        assertEquals(viaBlock.sizeBytes(), viaGeneric.sizeBytes());
        assertEquals(viaBlock.lbaBytes(), viaGeneric.lbaBytes());
        assertTrue(viaBlock.controller().startsWith("nvme"), viaBlock.controller());
        // handles are reused after a detach, and a reattached namespace reads again
        try (QueuePair qp = QueuePair.openPassthru(QueuePairConfig.empty(2, 2, BUFFER))) {
            int first = qp.attachNamespace(viaGeneric, false);
            qp.detach(first);
            int again = qp.attachNamespace(viaBlock, false);
            assertEquals(first, again);
            qp.addRead(1, again, 0, viaBlock.lbaBytes(), 0);
            assertEquals(viaBlock.lbaBytes(), reapAll(qp, 1).get(1L));
        }
    }

    /**
     * A partition maps to its place in the namespace: passthrough at its offset reads what the partition holds.
     * The mounted file system is frozen for the comparison ({@code fsfreeze}: dirty data written, writes held),
     * else the kernel writing its metadata back between the two reads (a group descriptor's free counts after
     * the other tests' files) makes them differ although both read the same place.
     */
    @ParameterizedTest
    @MethodSource("fileSystems")
    void aPartitionIsItsPlaceInTheNamespace(Path mountDir) throws IOException {
        Path source = Path.of(run("findmnt", "-n", "-o", "SOURCE", "--target", mountDir.toString()));
        NvmeNamespace ns = NvmeNamespace.probe(source, true);
        Path sysfs = Path.of("/sys/class/block", source.getFileName().toString());
        long expectedOffset = Files.exists(sysfs.resolve("partition"))
                ? Long.parseLong(Files.readString(sysfs.resolve("start")).trim()) * 512 : 0;
        assertEquals(expectedOffset, ns.offsetBytes(), source + " starts there in " + ns.blockName());
        assertEquals(Long.parseLong(Files.readString(sysfs.resolve("size")).trim()) * 512, ns.sizeBytes());
        int length = 8 * ns.lbaBytes();
        run("fsfreeze", "--freeze", mountDir.toString());
        try (QueuePair qp = QueuePair.openPassthru(QueuePairConfig.empty(2, 2, BUFFER));
             DirectFile block = DirectFile.openReadOnly(source);
             Arena arena = Arena.ofConfined()) {
            int handle = qp.attachNamespace(ns, false);
            long offset = 1024 * 1024; // ext4's superblock sits in the first 4 KiB: read further in, where data is
            qp.addRead(1, handle, ns.offsetBytes() + offset, length, 0);
            assertEquals(length, reapAll(qp, 1).get(1L));
            MemorySegment viaBlock = arena.allocate(length, 4096);
            assertEquals(length, block.read(viaBlock, offset));
            assertEquals(-1, viaBlock.mismatch(qp.buffer(0).asSlice(0, length)), source + " at " + offset);
            qp.addRead(2, handle, ns.offsetBytes(), length, 1); // the file system's first blocks
            assertEquals(length, reapAll(qp, 1).get(2L));
            assertEquals(length, block.read(viaBlock, 0));
            assertArrayEquals(viaBlock.toArray(ValueLayout.JAVA_BYTE),
                    qp.buffer(1).asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
        } finally {
            run("fsfreeze", "--unfreeze", mountDir.toString());
        }
    }

    private static String run(String... command) throws IOException {
        LoopDevice.Result r = LoopDevice.run(List.of(command));
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + r.output());
        }
        return r.output().trim();
    }
}
