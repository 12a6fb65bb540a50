package io.jxrp.bpfkv.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Positional reads of a database, the only I/O the pread path does: of a file ({@link #open}), or
 * of an NVMe namespace through the engine ({@link EngineBlockReader}: a namespace has no pread).
 * Thread-safe. A wrapper can inject faults (short, failing or corrupted reads) for tests.
 */
public interface BlockReader extends Closeable {
    /**
     * Fills {@code destination} from {@code offset}; both {@code offset} and the destination's size
     * must be multiples of {@link #alignment()}, and its address aligned to it as well.
     *
     * @return bytes read: the whole destination, fewer only at the end of the file
     * @throws IOException on a device error, or when the reader is closed
     */
    int read(long offset, MemorySegment destination) throws IOException;

    /** The alignment reads must honour: the device's logical block size with O_DIRECT, 1 otherwise. */
    int alignment();

    /** Whether reads bypass the page cache (O_DIRECT). */
    boolean direct();

    /** The database file, or null when the reader does not read a file (a namespace). */
    Path file();

    /** What messages name: the file, or the namespace's target spec. */
    default String name() {
        return file().toString();
    }

    /** Bytes readable: the file's size, or the namespace's. */
    default long sizeBytes() throws IOException {
        return Files.size(file());
    }

    /**
     * Whether this reads a raw device that holds the database from offset 0 and may be larger than
     * it (an NVMe namespace, as the original BPF-KV's SPDK mode lays it out): the size then bounds the
     * database instead of fixing its layer count.
     */
    default boolean rawDevice() {
        return false;
    }

    /**
     * Opens {@code file} for reading with O_DIRECT through pread(2).
     *
     * @param logicalBlockSizeBytes the device's logical block size, or 0 to probe it (512, 1024,
     *                              2048, 4096: the smallest aligned read that succeeds)
     * @param requireDirect         fail instead of falling back to buffered reads where the file
     *                              system lacks O_DIRECT
     */
    static BlockReader open(Path file, int logicalBlockSizeBytes, boolean requireDirect) throws IOException {
        return DirectBlockReader.open(file, logicalBlockSizeBytes, requireDirect);
    }
}
