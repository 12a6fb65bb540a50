package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.digest.MetadataDigest;
import io.jxrp.nvme.Extent;
import io.jxrp.nvme.Fiemap;
import io.jxrp.testing.Requirements;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * As root, on ext4 over a loop device: the FIEMAP digest reads a file of written extents, holes (never
 * written, and punched) and an unwritten (fallocated) extent. Written blocks are read from the device
 * directly; holes and the unwritten extent read as zeros through the file. The device under the
 * unwritten extent holds garbage, and the space the holes leave holds the bytes of a deleted file, so
 * a digest that bypassed either would return them.
 */
class FiemapHolesAndUnwrittenTest {
    private static final int BLOCK = 4096;
    private static final int BLOCKS = 64;
    /** What each 4 KiB block of the file is. */
    private enum Kind { DATA, HOLE, UNWRITTEN, PUNCHED }

    private static Kind kindOf(int block) {
        if (block >= 8 && block < 16) {
            return Kind.HOLE;
        }
        if (block >= 24 && block < 40) {
            return Kind.UNWRITTEN;
        }
        if (block >= 48 && block < 56) {
            return Kind.PUNCHED;
        }
        return Kind.DATA;
    }

    /**
     * On both backends, over ext4 with 4 KiB and with 1 KiB blocks. The java backend reads 4 KiB-aligned
     * spans (the JDK's O_DIRECT rule), so on a 1 KiB-block file system an extent that starts off a
     * 4 KiB boundary of the device is read through the file; every other written block comes from the
     * device.
     */
    @ParameterizedTest(name = "{0}, {1} B blocks")
    @CsvSource({"URING, 4096", "URING, 1024", "JAVA, 4096", "JAVA, 1024"})
    void readsHolesAndUnwrittenExtentsAsZerosThroughTheFile(BackendKind kind, int fsBlock) throws Exception {
        RootFixtures.assumeRoot();
        Requirements.requireTools("fallocate");
        long seed = TestFiles.seed();
        System.out.println("readsHolesAndUnwrittenExtentsAsZerosThroughTheFile " + kind + " " + fsBlock + " seed " + seed);
        try (RootFixtures.Ext4Mount fs = RootFixtures.Ext4Mount.create("fiemap-holes", 64, fsBlock)) {
            // free space that remembers a deleted file: 0xCD wherever a wrong mapping could land
            Path filler = fs.mountPoint.resolve("filler.bin");
            byte[] cd = new byte[16 << 20];
            Arrays.fill(cd, (byte) 0xCD);
            Files.write(filler, cd);
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.delete(filler);
            RootFixtures.run("sync");

            Path file = fs.mountPoint.resolve("sparse.bin");
            long size = (long) BLOCKS * BLOCK - 1536; // ends inside a block
            byte[] model = new byte[(int) size];
            Random random = new Random(seed);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (int b = 0; b < BLOCKS; b++) {
                    Kind k = kindOf(b);
                    if (k == Kind.DATA || k == Kind.PUNCHED) {
                        int length = (int) Math.min(BLOCK, size - (long) b * BLOCK);
                        byte[] bytes = new byte[length];
                        random.nextBytes(bytes);
                        ch.write(ByteBuffer.wrap(bytes), (long) b * BLOCK);
                        if (k == Kind.DATA) {
                            System.arraycopy(bytes, 0, model, b * BLOCK, length);
                        }
                    }
                }
                ch.force(true);
            }
            RootFixtures.run("fallocate", "-o", Long.toString(24L * BLOCK), "-l", Long.toString(16L * BLOCK), file.toString());
            RootFixtures.run("fallocate", "-p", "-o", Long.toString(48L * BLOCK), "-l", Long.toString(8L * BLOCK), file.toString());
            RootFixtures.run("sync");
            assertEquals(size, Files.size(file));
            assertArrayEquals(model, Files.readAllBytes(file), "the file system's own view is the model");

            // garbage on the device under the unwritten extent: the file system still reads zeros there
            List<Extent> unwritten = Fiemap.extents(file).stream().filter(e -> (e.flags() & Extent.UNWRITTEN) != 0).toList();
            assertEquals(1, unwritten.size(), "one unwritten extent: " + Fiemap.extents(file));
            Extent u = unwritten.getFirst();
            assertEquals(24L * BLOCK, u.logicalOffset());
            assertEquals(16L * BLOCK, u.lengthBytes());
            byte[] garbage = new byte[(int) u.lengthBytes()];
            Arrays.fill(garbage, (byte) 0xEE);
            try (FileChannel dev = FileChannel.open(fs.loop.device(), StandardOpenOption.WRITE)) {
                dev.write(ByteBuffer.wrap(garbage), u.physicalOffset());
                dev.force(true);
            }
            RootFixtures.run("sh", "-c", "echo 3 > /proc/sys/vm/drop_caches");
            assertArrayEquals(model, Files.readAllBytes(file), "the unwritten extent still reads as zeros");

            ReadRecordingBackend backend = new ReadRecordingBackend(TestBackends.of(kind));
            try (ResubmissionEngine engine = ResubmissionEngine.open(file,
                    EngineOptions.defaults().withDigest(DigestKind.FIEMAP), backend)) {
                MetadataDigest digest = engine.digest();
                String device = fs.loop.device().toString();
                assertEquals(fs.loop.device().toRealPath(), digest.devicePath().toRealPath());
                int alignment = engine.defaultTarget().ioAlignment();
                int fromDevice = 0;
                for (long offset = 0; offset < size; offset += 512) {
                    Kind k = kindOf((int) (offset / BLOCK));
                    XrpResult<byte[]> r = engine.execute(XrpRequest.of(FiemapHolesAndUnwrittenTest::copyBlock, offset, 512,
                            s -> s.asSlice(0, 512).toArray(ValueLayout.JAVA_BYTE)));
                    String where = k + " block at " + offset + " (" + kind + ", " + fsBlock + " B blocks, seed " + seed + ")";
                    assertEquals(Outcome.OK, r.outcome(), where + ": detail " + r.detail() + " " + r.failure());
                    assertArrayEquals(Arrays.copyOfRange(model, (int) offset, (int) offset + 512), r.value(), where);

                    // where the read went: the device under a written extent, else the file
                    long alignedStart = offset & -alignment;
                    long translated = digest.translate(alignedStart, alignment);
                    List<ReadRecordingBackend.Read> reads = backend.takeReads();
                    assertEquals(1, reads.size(), where + ": " + reads);
                    ReadRecordingBackend.Read read = reads.getFirst();
                    if (k != Kind.DATA) {
                        assertEquals(MetadataDigest.THROUGH_FILE, translated, where + " is not mapped for a direct read");
                        assertEquals(new ReadRecordingBackend.Read(file.toString(), alignedStart, alignment), read, where);
                    } else if (translated >= 0 && translated % alignment == 0) {
                        assertEquals(new ReadRecordingBackend.Read(device, translated, alignment), read, where);
                        fromDevice++;
                    } else {
                        // the aligned span runs past the end of the file, or starts off the queue's alignment
                        boolean tail = alignedStart + alignment > size;
                        assertTrue(tail || kind == BackendKind.JAVA && fsBlock < alignment,
                                where + " should be read from the device: " + translated);
                        assertEquals(new ReadRecordingBackend.Read(file.toString(), alignedStart, alignment), read, where);
                    }
                }
                int dataReads = 0;
                for (long offset = 0; offset < size; offset += 512) {
                    boolean tail = (offset & -alignment) + alignment > size;
                    dataReads += kindOf((int) (offset / BLOCK)) == Kind.DATA && !tail ? 1 : 0;
                }
                System.out.println(kind + " " + fsBlock + " B blocks: " + fromDevice + " of " + dataReads
                        + " data reads went to the device");
                if (kind == BackendKind.URING || fsBlock >= alignment) {
                    assertEquals(dataReads, fromDevice, "every written block is read from the device (but a tail span)");
                }
            }
        }
    }

    /** Copies the 512 bytes read into the scratch and ends the request. */
    private static int copyBlock(XrpContext ctx) {
        MemorySegment.copy(ctx.data(), 0, ctx.scratch(), 0, 512);
        ctx.setDone();
        return 0;
    }
}
