package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.Model;
import io.jxrp.bpfkv.format.TreeLayout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DbBuilderTest {
    @ParameterizedTest(name = "L={0} writer={1}")
    @CsvSource({"1,channel", "2,channel", "3,channel", "1,uring", "2,uring", "3,uring"})
    void createdFileIsByteIdenticalToTheModel(int layers, String writerName) throws IOException {
        BlockWriter.Factory writer = writerName.equals("uring") ? UringBlockWriter::open : ChannelBlockWriter::open;
        io.jxrp.testing.Requirements.require(!writerName.equals("uring") || UringBlockWriter.isAvailable(),
                () -> "native shim unavailable: " + UringBlockWriter.unavailabilityCause());
        Path file = Model.testDir().resolve("builder-L" + layers + "-" + writerName + ".db");
        List<long[]> progress = new ArrayList<>();
        // small buffers: many chunks, chunk edges inside the index, at the index/value-log edge and in the log
        DbBuilder.Result result = DbBuilder.create(file, layers, DbBuilder.Options.defaults().withForce(true)
                .withBuffers(8192, 2).withWriterFactory(writer)
                .withProgress((done, total) -> progress.add(new long[] {done, total})));
        assertTrue(result.writes().startsWith(writerName.equals("uring") ? "io_uring" : "FileChannel"), result.writes());
        byte[] expected = new Model(layers).fileBytes();
        byte[] actual = Files.readAllBytes(file);
        assertEquals(expected.length, actual.length, "file size");
        assertArrayEquals(expected, actual, "file bytes for " + layers + " layers");
        assertEquals(expected.length, result.sizeBytes());
        assertTrue(result.direct(), "O_DIRECT on the build's file system");
        long[] last = progress.get(progress.size() - 1);
        assertEquals(expected.length, last[0]);
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress goes forward");
        }
    }

    @Test
    void fourLayersWithDefaultsAreByteIdenticalToo() throws IOException {
        Path file = Model.testDir().resolve("builder-default-L4.db");
        DbBuilder.create(file, 4, DbBuilder.Options.defaults().withForce(true));
        assertArrayEquals(new Model(4).fileBytes(), Files.readAllBytes(file), "71 MiB, 4 layers");
        Files.delete(file);
    }

    @Test
    void defaultBuffersGiveTheSameBytes() throws IOException {
        Path file = Model.testDir().resolve("builder-default-L3.db");
        DbBuilder.create(file, 3, DbBuilder.Options.defaults().withForce(true));
        assertArrayEquals(new Model(3).fileBytes(), Files.readAllBytes(file));
    }

    @Test
    void refusesToOverwriteWithoutForce() throws IOException {
        Path file = Model.testDir().resolve("builder-exists.db");
        Files.write(file, new byte[] {1, 2, 3});
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> DbBuilder.create(file, 2, DbBuilder.Options.defaults()));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file), "untouched");
        DbBuilder.create(file, 2, DbBuilder.Options.defaults().withForce(true));
        assertEquals(new TreeLayout(2).fileSizeBytes(), Files.size(file));
    }

    @Test
    void refusesWhenTheDiskIsTooSmall() throws IOException {
        Path file = Model.testDir().resolve("builder-huge.db");
        Files.deleteIfExists(file);
        IOException e = assertThrows(IOException.class, () -> DbBuilder.create(file, 10, DbBuilder.Options.defaults()));
        assertTrue(e.getMessage().contains("not enough free space"), e.getMessage());
        assertTrue(!Files.exists(file), "nothing created");
    }

    @Test
    void failedWriteDeletesThePartialFile() throws IOException {
        Path file = Model.testDir().resolve("builder-failing.db");
        BlockWriter.Factory failing = (path, requireDirect, count, size) ->
                new FailingWriter(BlockWriter.open(path, requireDirect, count, size), 3);
        IOException e = assertThrows(IOException.class, () -> DbBuilder.create(file, 3,
                DbBuilder.Options.defaults().withForce(true).withBuffers(8192, 2).withWriterFactory(failing)));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertTrue(!Files.exists(file), "partial file removed");
    }

    /** Fails the n-th write. */
    private static final class FailingWriter implements BlockWriter {
        private final BlockWriter delegate;
        private int remaining;

        FailingWriter(BlockWriter delegate, int failAt) {
            this.delegate = delegate;
            this.remaining = failAt;
        }

        @Override
        public CompletableFuture<Void> write(int index, long offset, int lengthBytes) {
            if (--remaining == 0) {
                return CompletableFuture.failedFuture(new IOException("injected write failure at " + offset));
            }
            return delegate.write(index, offset, lengthBytes);
        }

        @Override
        public int bufferCount() {
            return delegate.bufferCount();
        }

        @Override
        public int bufferSizeBytes() {
            return delegate.bufferSizeBytes();
        }

        @Override
        public MemorySegment buffer(int index) {
            return delegate.buffer(index);
        }

        @Override
        public String describe() {
            return "failing " + delegate.describe();
        }

        @Override
        public int alignment() {
            return delegate.alignment();
        }

        @Override
        public boolean direct() {
            return delegate.direct();
        }

        @Override
        public void finish(long fileSizeBytes) throws IOException {
            delegate.finish(fileSizeBytes);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
