package io.jxrp.bpfkv.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Positional reads of a database file, the only I/O the pread path does. Thread-safe. A wrapper
 * can inject faults (short, failing or corrupted reads) for tests.
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

    Path file();

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
