package io.jxrp.bpfkv;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous positional writes of large aligned buffers, for creating a database. Today's
 * implementation is a FileChannel with O_DIRECT on a writer thread; a shim-backed io_uring writer
 * can take its place behind this interface.
 */
public interface BlockWriter extends Closeable {
    /**
     * Starts writing all of {@code buffer} at {@code offset} (both, and the buffer's address, multiples
     * of {@link #alignment()}). The future completes when the buffer may be reused, exceptionally
     * with the IOException when the write failed.
     */
    CompletableFuture<Void> write(long offset, MemorySegment buffer);

    /** Alignment of offsets, sizes and buffer addresses. */
    int alignment();

    /** Whether writes bypass the page cache. */
    boolean direct();

    /** Waits for every write, sets the file's length to {@code fileSizeBytes} and syncs it, once. */
    void finish(long fileSizeBytes) throws IOException;

    /** Creates {@code file} (truncating it) for writing. */
    interface Factory {
        BlockWriter create(Path file, boolean requireDirect) throws IOException;
    }
}
