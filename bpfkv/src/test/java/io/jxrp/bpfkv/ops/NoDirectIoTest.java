package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.io.DbBuilder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jxrp.testing.RamfsMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * File systems without O_DIRECT: a clear message where direct I/O is required, buffered I/O otherwise.
 * ramfs refuses O_DIRECT on every kernel (root, to mount one); tmpfs did before Linux 6.6.
 */
class NoDirectIoTest {

    @Test
    void ramfsRefusesDirectIoClearlyAndWorksBuffered() throws IOException {
        try (RamfsMount ramfs = RamfsMount.create(Model.testDir().resolve("ramfs-" + ProcessHandle.current().pid()))) {
            Path file = ramfs.path().resolve("L2.db");
            assertCreateAndRead(file, false, "ramfs");
        }
    }

    @Test
    void tmpfsHasDirectIoFromLinux66() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).type().equals("tmpfs"),
                "needs a writable tmpfs at /dev/shm");
        Path dir = Files.createTempDirectory(shm, "bpfkv-test-");
        try {
            assertCreateAndRead(dir.resolve("L2.db"), kernelAtLeast(6, 6), "tmpfs");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** Creates an L=2 database at {@code file} and reads it back, with or without O_DIRECT as the file system allows. */
    private static void assertCreateAndRead(Path file, boolean directWorks, String fileSystem) throws IOException {
        String refusal = "O_DIRECT not supported on " + fileSystem + "; put the database on a disk file system";
        if (!directWorks) {
            IOException refused = assertThrows(IOException.class,
                    () -> DbBuilder.create(file, 2, DbBuilder.Options.defaults().withRequireDirect(true)));
            assertTrue(refused.getMessage().contains(refusal), refused.getMessage());
            assertFalse(Files.exists(file) && Files.size(file) > 0, "nothing written after the refusal");
        }
        DbBuilder.Result result = DbBuilder.create(file, 2, DbBuilder.Options.defaults().withForce(true));
        assertEquals(directWorks, result.direct(), "the builder used O_DIRECT where it works and only there");
        assertArrayEquals(new Model(2).fileBytes(), Files.readAllBytes(file));

        if (!directWorks) {
            IOException readRefused = assertThrows(IOException.class,
                    () -> PreadTraversal.open(file, BpfKvOptions.defaults().withRequireDirect(true)));
            assertTrue(readRefused.getMessage().contains(refusal), readRefused.getMessage());
        }
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(1))) {
            assertEquals(directWorks, db.direct(), "the reader used O_DIRECT where it works and only there");
            assertArrayEquals(Model.value(500), db.get(500).orElseThrow());
            assertEquals(961, db.range(0, 10_000, false, false).count());
        }
    }

    private static boolean kernelAtLeast(int major, int minor) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        assertTrue(m.find(), "kernel version in os.version=" + System.getProperty("os.version"));
        int maj = Integer.parseInt(m.group(1));
        return maj > major || maj == major && Integer.parseInt(m.group(2)) >= minor;
    }
}
