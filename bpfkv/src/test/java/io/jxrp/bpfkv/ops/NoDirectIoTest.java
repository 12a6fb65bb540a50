package io.jxrp.bpfkv.ops;

import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.nvme.DirectFile;
import io.jxrp.nvme.NativeIOException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A file system without O_DIRECT (tmpfs): a clear message, and buffered I/O unless direct I/O is required. */
class NoDirectIoTest {
    private Path dir;

    @BeforeEach
    void tmpfs() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).type().equals("tmpfs"),
                "needs a writable tmpfs at /dev/shm");
        dir = Files.createTempDirectory(shm, "bpfkv-test-");
    }

    @AfterEach
    void clean() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** Linux 6.6 gave tmpfs O_DIRECT; older kernels refuse it with EINVAL. */
    private boolean tmpfsHasDirectIo(Path probe) throws IOException {
        Files.write(probe, new byte[512]);
        try {
            DirectFile.openReadOnly(probe).close();
            return true;
        } catch (NativeIOException e) {
            return false;
        } finally {
            Files.delete(probe);
        }
    }

    @Test
    void createAndReadWithoutDirectIo() throws IOException {
        Path file = dir.resolve("L2.db");
        boolean directWorks = tmpfsHasDirectIo(dir.resolve("probe"));
        if (!directWorks) {
            IOException refused = assertThrows(IOException.class,
                    () -> DbBuilder.create(file, 2, DbBuilder.Options.defaults().withRequireDirect(true)));
            assertTrue(refused.getMessage().contains("O_DIRECT not supported on tmpfs; put the database on a disk file system"),
                    refused.getMessage());
        }
        DbBuilder.Result result = DbBuilder.create(file, 2, DbBuilder.Options.defaults().withForce(true));
        assertEquals(directWorks, result.direct());
        assertArrayEquals(new Model(2).fileBytes(), Files.readAllBytes(file));

        if (!directWorks) {
            IOException readRefused = assertThrows(IOException.class,
                    () -> PreadTraversal.open(file, BpfKvOptions.defaults().withRequireDirect(true)));
            assertTrue(readRefused.getMessage().contains("O_DIRECT not supported on tmpfs"), readRefused.getMessage());
        }
        try (PreadTraversal db = PreadTraversal.open(file, BpfKvOptions.defaults().withCacheLevels(1))) {
            assertEquals(directWorks, db.direct());
            assertArrayEquals(Model.value(500), db.get(500).orElseThrow());
            assertEquals(961, db.range(0, 10_000, false, false).count());
        }
        assumeTrue(!directWorks, "this kernel's tmpfs has O_DIRECT (Linux >= 6.6): the refusal messages were not exercised");
    }
}
