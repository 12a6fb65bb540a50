package io.jxrp.bpfkv.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/**
 * Asynchronous positional writes of large aligned buffers, for creating a database. The writer owns
 * its buffers (io_uring registers them with the kernel); the caller fills one, hands it to
 * {@link #write} and refills it once the returned future completes.
 * Implementations: {@link UringBlockWriter} (the native shim's io_uring, batched) and
 * {@link ChannelBlockWriter} (FileChannel with O_DIRECT on a writer thread).
 */
public interface BlockWriter extends Closeable {
    /** Buffers this writer owns: {@link #bufferSizeBytes()} each, aligned to {@link #alignment()}. */
    int bufferCount();

    int bufferSizeBytes();

    /** Buffer {@code index}, valid until {@link #close()}. */
    MemorySegment buffer(int index);

    /**
     * Starts writing the first {@code lengthBytes} of buffer {@code index} at {@code offset} (both
     * multiples of {@link #alignment()}). The future completes when the buffer may be reused,
     * exceptionally with the IOException when the write failed.
     */
    CompletableFuture<Void> write(int index, long offset, int lengthBytes);

    /** Alignment of offsets and lengths. */
    int alignment();

    /** Whether writes bypass the page cache. */
    boolean direct();

    /** How the writes are done, for messages. */
    String describe();

    /** Waits for every write, sets the file's length to {@code fileSizeBytes} and syncs it, once. */
    void finish(long fileSizeBytes) throws IOException;

    /** Creates {@code file} (truncating it) for writing, with {@code bufferCount} buffers of {@code bufferSizeBytes}. */
    @FunctionalInterface
    interface Factory {
        BlockWriter create(Path file, boolean requireDirect, int bufferCount, int bufferSizeBytes) throws IOException;
    }

    /**
     * The default: io_uring through the native shim when it loads and the file system takes
     * O_DIRECT, otherwise a FileChannel (which itself falls back to buffered writes, with a
     * message, where O_DIRECT is missing, unless direct I/O is required).
     */
    static BlockWriter open(Path file, boolean requireDirect, int bufferCount, int bufferSizeBytes) throws IOException {
        String why;
        if (UringBlockWriter.isAvailable()) {
            try {
                return UringBlockWriter.open(file, requireDirect, bufferCount, bufferSizeBytes);
            } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException e) {
                throw e; // no other writer would get further
            } catch (IOException e) {
                why = e.getMessage();
            }
        } else {
            why = "native shim unavailable: " + UringBlockWriter.unavailabilityCause();
        }
        // the chosen writer is in DbBuilder.Result.writes(); why io_uring was not is library detail
        LoggerFactory.getLogger(BlockWriter.class).debug("{}: io_uring writer not used ({}); FileChannel writes", file, why);
        return ChannelBlockWriter.open(file, requireDirect, bufferCount, bufferSizeBytes);
    }
}
