package io.jxrp.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RawReadTest {
    private Path dir;
    private Path file;

    @BeforeEach
    void setUp() throws IOException {
        TestFiles.assumeUring();
        dir = TestFiles.scratchDir("raw");
        file = dir.resolve("region.bin");
        Files.write(file, new byte[1 << 20]);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dir != null) {
            TestFiles.deleteTree(dir);
        }
    }

    @Test
    void readsRandomBlocksForTheGivenTime() throws IOException {
        RawRead.Result result = RawRead.randomReads(file, 4096, 4, TimeUnit.MILLISECONDS.toNanos(50), 7, 0);
        System.out.println("raw 4 KiB QD4 on the build file system: " + result);
        assertTrue(result.ios() > 0, result.toString());
        assertTrue(result.nanos() > 0, result.toString());
        assertEquals(result.ios() * 1e9 / result.nanos(), result.iops(), 1e-6);
    }

    @Test
    void regionLimitsAndSmallBlocks() throws IOException {
        RawRead.Result result = RawRead.randomReads(file, 512, 1, TimeUnit.MILLISECONDS.toNanos(10), 1, 64 << 10);
        assertTrue(result.ios() > 0, result.toString());
    }

    @Test
    void errorsAreReported() {
        NativeIOException missing = assertThrows(NativeIOException.class,
                () -> RawRead.randomReads(dir.resolve("missing"), 4096, 1, 1_000_000, 1, 0));
        assertEquals("ENOENT", missing.errnoName());
        NativeIOException tooSmall = assertThrows(NativeIOException.class,
                () -> RawRead.randomReads(file, 4096, 1, 1_000_000, 1, 100));
        assertEquals("EINVAL", tooSmall.errnoName(), "region smaller than one block");
        assertThrows(IllegalArgumentException.class, () -> RawRead.randomReads(file, 1000, 1, 1, 1, 0));
    }
}
