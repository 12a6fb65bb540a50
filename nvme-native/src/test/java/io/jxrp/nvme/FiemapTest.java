package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FiemapTest {
    private static final int BLOCK = 4096;

    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        TestFiles.assumeLibrary();
        dir = TestFiles.scratchDir("fiemap");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    /** Writes seeded random data in runs separated by holes; returns the file's expected bytes (holes zero). */
    private static byte[] writeWithHoles(Path file, long seed, int runs, int blocksPerRun) throws IOException {
        Random random = new Random(seed);
        byte[] content = new byte[runs * 2 * blocksPerRun * BLOCK];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int run = 0; run < runs; run++) {
                int offset = run * 2 * blocksPerRun * BLOCK; // a run of data, then a hole of equal size
                byte[] data = new byte[blocksPerRun * BLOCK];
                random.nextBytes(data);
                System.arraycopy(data, 0, content, offset, data.length);
                channel.write(ByteBuffer.wrap(data), offset);
            }
            channel.truncate(content.length);
            channel.force(true);
        }
        return content;
    }

    /** Extents must cover every non-hole byte exactly once, in order, with real locations. */
    private static void assertCoversData(List<Extent> extents, byte[] content) {
        long previousEnd = 0;
        for (Extent e : extents) {
            assertTrue(e.logicalOffset() >= previousEnd, "extents ordered and disjoint: " + extents);
            assertTrue(e.lengthBytes() > 0);
            assertFalse((e.flags() & (Extent.UNKNOWN | Extent.DELALLOC)) != 0, "synced: " + e);
            previousEnd = e.logicalEnd();
        }
        assertTrue(extents.getLast().last(), "last extent flagged LAST: " + extents);
        for (int block = 0; block < content.length / BLOCK; block++) {
            boolean hasData = false;
            for (int i = block * BLOCK; i < (block + 1) * BLOCK && !hasData; i++) {
                hasData = content[i] != 0;
            }
            if (hasData) {
                long offset = (long) block * BLOCK;
                assertTrue(extents.stream().anyMatch(e -> e.logicalOffset() <= offset && offset < e.logicalEnd()),
                        "block " + block + " mapped");
            }
        }
    }

    @Test
    void extentsCoverAWrittenFileAndMatchFilefrag() throws IOException {
        long seed = TestFiles.seed("extentsCoverAWrittenFileAndMatchFilefrag");
        Path file = dir.resolve("holes.bin");
        byte[] content = writeWithHoles(file, seed, 4, 8);
        List<Extent> extents = Fiemap.extents(file);
        System.out.println(extents);
        assertCoversData(extents, content);
        assertTrue(extents.size() >= 4, "four data runs separated by holes: " + extents);

        LoopDevice.Result filefrag = LoopDevice.run(List.of("filefrag", "-v", file.toString()));
        io.jxrp.testing.Requirements.require(filefrag.exit() == 0, () -> "filefrag unavailable: " + filefrag.output());
        assertEquals(parseFilefrag(filefrag.output()), extents.stream()
                .map(e -> List.of(e.logicalOffset(), e.physicalOffset(), e.lengthBytes())).toList(),
                "same extents as filefrag -v:\n" + filefrag.output());
    }

    /** [logical, physical, length] in bytes per line of {@code filefrag -v}. */
    private static List<List<Long>> parseFilefrag(String output) {
        Matcher blockSize = Pattern.compile("blocks of (\\d+) bytes").matcher(output);
        assertTrue(blockSize.find(), output);
        long unit = Long.parseLong(blockSize.group(1));
        Pattern line = Pattern.compile("^\\s*\\d+:\\s*(\\d+)\\.\\.\\s*(\\d+):\\s*(\\d+)\\.\\.\\s*(\\d+):\\s*(\\d+):",
                Pattern.MULTILINE);
        Matcher m = line.matcher(output);
        List<List<Long>> rows = new ArrayList<>();
        while (m.find()) {
            rows.add(List.of(Long.parseLong(m.group(1)) * unit, Long.parseLong(m.group(3)) * unit,
                    Long.parseLong(m.group(5)) * unit));
        }
        return rows;
    }

    @Test
    void emptyFileHasNoExtents() throws IOException {
        Path file = dir.resolve("empty.bin");
        Files.createFile(file);
        assertEquals(List.of(), Fiemap.extents(file));
    }

    @Test
    void bypassableRules() {
        assertTrue(new Extent(0, 4096, 4096, 0).bypassable());
        assertTrue(new Extent(0, 4096, 4096, Extent.LAST).bypassable());
        assertTrue(new Extent(0, 4096, 4096, Extent.SHARED | Extent.LAST).bypassable(), "documented: shared is readable");
        for (int flag : new int[] {Extent.UNKNOWN, Extent.DELALLOC, Extent.ENCODED, Extent.DATA_ENCRYPTED,
                Extent.NOT_ALIGNED, Extent.DATA_INLINE, Extent.DATA_TAIL, Extent.UNWRITTEN}) {
            assertFalse(new Extent(0, 4096, 4096, flag | Extent.LAST).bypassable(), "flag " + flag);
        }
    }

    @Test
    void backingDeviceOfTheBuildFileSystemIsABlockDevice() throws IOException {
        Path file = dir.resolve("f.bin");
        Files.write(file, new byte[BLOCK]);
        Path device;
        try {
            device = Fiemap.backingDevice(file);
        } catch (IOException e) {
            assumeTrue(false, "build directory not on a block device here: " + e.getMessage());
            return;
        }
        System.out.println("backing device of " + file + ": " + device);
        assertTrue(device.startsWith("/dev"), device.toString());
        // (not DeviceFacts.probe: opening a mounted root disk may be refused, EPERM in some VMs)
        int mode = (Integer) Files.getAttribute(device, "unix:mode");
        assertEquals(0060000, mode & 0170000, device + " is a block device node");
    }

    @Test
    void backingDeviceOfTmpfsIsAClearError() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        Path file = Files.createTempFile(shm, "jxrp-fiemap", ".bin");
        try {
            IOException e = assertThrows(IOException.class, () -> Fiemap.backingDevice(file));
            assertTrue(e.getMessage().contains("not a block device"), e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void fiemapOnMissingFileNamesErrno() {
        Path missing = dir.resolve("missing");
        IOException e = assertThrows(IOException.class, () -> Fiemap.extents(missing));
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains(missing.toString()), e.getMessage());
    }

    /**
     * The XRP bypass, end to end: a file on ext4 on a fresh loop device; every extent read
     * directly from the backing device (O_DIRECT queue pair, physical offsets) returns the
     * file's bytes.
     */
    @Test
    void physicalOffsetsReadBackTheFileThroughTheBackingDevice() throws Exception {
        TestFiles.assumeUring();
        long seed = TestFiles.seed("physicalOffsetsReadBackTheFileThroughTheBackingDevice");
        try (LoopDevice loop = LoopDevice.attach(dir, 64 << 20, 512)) {
            Path mount = loop.mountExt4(dir.resolve("mnt"));
            Path file = mount.resolve("data.bin");
            byte[] content = writeWithHoles(file, seed, 5, 16);
            List<Extent> extents = Fiemap.extents(file);
            assertCoversData(extents, content);
            Path device = Fiemap.backingDevice(file);
            assertEquals(loop.device(), device);

            int chunk = 16 * BLOCK;
            try (QueuePair qp = QueuePair.open(QueuePairConfig.readOnly(device, 4, 1, chunk))) {
                for (Extent e : extents) {
                    assertTrue(e.bypassable(), e.toString());
                    for (long done = 0; done < e.lengthBytes(); done += chunk) {
                        int length = (int) Math.min(chunk, e.lengthBytes() - done);
                        qp.addRead(done, 0, e.physicalOffset() + done, length, 0);
                        assertEquals(1, qp.submitAndReap(1, TimeUnit.SECONDS.toNanos(30)));
                        assertEquals(length, qp.completionResult(0));
                        MemorySegment buffer = qp.buffer(0).asSlice(0, length);
                        int from = (int) (e.logicalOffset() + done);
                        int to = Math.min(from + length, content.length);
                        byte[] expected = java.util.Arrays.copyOfRange(content, from, to);
                        byte[] actual = buffer.asSlice(0, to - from).toArray(ValueLayout.JAVA_BYTE);
                        assertArrayEquals(expected, actual, "extent " + e + " at +" + done);
                    }
                }
            }
        }
    }
}
