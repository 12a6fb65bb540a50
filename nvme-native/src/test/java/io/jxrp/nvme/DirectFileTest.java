package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import io.jxrp.testing.RamfsMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Synchronous O_DIRECT pread: 512 B reads, short reads at the end, errors as -errno or exceptions. */
class DirectFileTest {
    private Path dir;
    private Path file;
    private byte[] contents;

    @BeforeEach
    void setUp() throws IOException {
        io.jxrp.testing.Requirements.requireAvailable("libc binding", DirectFile.unavailabilityCause());
        dir = TestFiles.scratchDir("direct-file");
        file = dir.resolve("data.bin");
        long seed = System.nanoTime();
        System.out.println("DirectFileTest seed " + seed);
        contents = new byte[64 * 512 + 100]; // not a block multiple: the last read is short
        new Random(seed).nextBytes(contents);
        Files.write(file, contents);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void readsHalfKibBlocksAndShortAtTheEnd() throws IOException {
        try (DirectFile f = DirectFile.openReadOnly(file); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512, 4096);
            for (int block = 0; block < 64; block += 7) {
                assertEquals(512, f.read(buf, block * 512L));
                assertArrayEquals(Arrays.copyOfRange(contents, block * 512, block * 512 + 512), buf.toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals(100, f.read(buf, 64 * 512L), "short read at the end of the file");
            assertEquals(0, f.read(buf, 1 << 20), "past the end");
        }
    }

    @Test
    void misalignedReadIsEinval() throws IOException {
        try (DirectFile f = DirectFile.openReadOnly(file); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096, 4096);
            assertEquals(-22, f.readRaw(buf.asSlice(0, 512), 100), "offset not block-aligned");
            NativeIOException e = assertThrows(NativeIOException.class, () -> f.read(buf.asSlice(0, 512), 100));
            assertEquals(22, e.errno());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void missingFileAndUseAfterClose() throws IOException {
        NativeIOException missing = assertThrows(NativeIOException.class, () -> DirectFile.openReadOnly(dir.resolve("nope")));
        assertEquals(2, missing.errno());
        DirectFile f = DirectFile.openReadOnly(file);
        f.close();
        f.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512, 4096);
            assertThrows(IllegalStateException.class, () -> f.readRaw(buf, 0));
        }
    }

    /** tmpfs: O_DIRECT reads from Linux 6.6 on; before, the open is refused with EINVAL and says why. */
    @Test
    void tmpfsReadsOrSaysItLacksODirectAsThisKernelDoes() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "needs a tmpfs at /dev/shm");
        Path t = Files.createTempFile(shm, "jxrp", ".bin");
        try {
            Files.write(t, Arrays.copyOf(contents, 4096));
            if (TestFiles.kernelAtLeast(6, 6)) {
                assertReadsWithODirect(t);
            } else {
                assertRefusesODirect(t);
            }
        } finally {
            Files.deleteIfExists(t);
        }
    }

    /** ramfs never has O_DIRECT: the refusal and its message, on every kernel (root, to mount it). */
    @Test
    void ramfsSaysItLacksODirect() throws IOException {
        try (RamfsMount ramfs = RamfsMount.create(dir.resolve("ramfs"))) {
            Path t = ramfs.path().resolve("data.bin");
            Files.write(t, Arrays.copyOf(contents, 4096));
            assertRefusesODirect(t);
        }
    }

    private void assertReadsWithODirect(Path t) throws IOException {
        try (DirectFile f = DirectFile.openReadOnly(t); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512, 4096);
            assertEquals(512, f.read(buf, 512));
            assertArrayEquals(Arrays.copyOfRange(contents, 512, 1024), buf.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static void assertRefusesODirect(Path t) {
        NativeIOException e = assertThrows(NativeIOException.class, () -> DirectFile.openReadOnly(t).close());
        assertEquals(22, e.errno());
        assertTrue(e.getMessage().contains("O_DIRECT is not supported") && e.getMessage().contains(t.toString()),
                e.getMessage());
    }
}
