package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.io.DbLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writes refused with a clear error where they cannot go: a read-only file, a second writer, a read-only open. */
class ReadOnlyDatabaseTest {
    @Test
    void aReadOnlyFileIsRefusedForWritingAndStillReads() throws Exception {
        Path file = Model.testDir().resolve("readonly.db");
        DbLoader.load(file, List.of(KeyValue.of(1, "one")).iterator(), DbBuilder.Options.defaults().withForce(true));
        boolean immutable = chattr("+i", file);
        if (!immutable) {
            io.jxrp.testing.Requirements.require(file.toFile().setWritable(false) && !Files.isWritable(file),
                    () -> "neither chattr +i nor a mode change makes the file read-only here (root without chattr)");
        }
        try {
            AccessDeniedException e = assertThrows(AccessDeniedException.class,
                    () -> BpfKv.open(file, BpfKvOptions.defaults().withWritable(true)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            try (BpfKv db = BpfKv.open(file, BpfKvOptions.defaults())) {
                assertEquals("one", new String(db.get(1).orElseThrow(), StandardCharsets.UTF_8));
                IllegalStateException refused = assertThrows(IllegalStateException.class, () -> db.put(2, "two"));
                assertTrue(refused.getMessage().contains("opened read-only"), refused.getMessage());
            }
        } finally {
            if (immutable) {
                chattr("-i", file);
            }
            file.toFile().setWritable(true);
        }
    }

    @Test
    void oneWriterAtATime() throws Exception {
        Path file = Model.testDir().resolve("one-writer.db");
        DbLoader.load(file, List.of(KeyValue.of(1, "one")).iterator(), DbBuilder.Options.defaults().withForce(true));
        try (BpfKv writer = BpfKv.open(file, BpfKvOptions.defaults().withWritable(true))) {
            IOException e = assertThrows(IOException.class, () -> BpfKv.open(file, BpfKvOptions.defaults().withWritable(true)));
            assertTrue(e.getMessage().contains("already open for writing"), e.getMessage());
            writer.put(2, "two");
            try (BpfKv reader = BpfKv.open(file, BpfKvOptions.defaults())) {
                assertEquals("two", new String(reader.get(2).orElseThrow(), StandardCharsets.UTF_8), "the log is replayed for readers");
            }
        }
    }

    private static boolean chattr(String flag, Path file) {
        try {
            Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
