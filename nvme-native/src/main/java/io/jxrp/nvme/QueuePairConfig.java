package io.jxrp.nvme;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link QueuePair} opens: 1 to 8 files or block devices (all opened {@code O_DIRECT}),
 * read-only or read-write, a ring of {@code depth} entries (a power of two, 1..4096), and a slab
 * of {@code bufferCount} buffers of {@code bufferSizeBytes} each (a multiple of 4096).
 */
public record QueuePairConfig(List<Path> files, boolean writable, int depth, int bufferCount, int bufferSizeBytes) {
    public static final int MAX_FILES = 8;
    public static final int MAX_DEPTH = 4096;
    public static final int BUFFER_ALIGNMENT = 4096;

    public QueuePairConfig {
        Objects.requireNonNull(files, "files");
        files = List.copyOf(files);
        if (files.isEmpty() || files.size() > MAX_FILES) {
            throw new IllegalArgumentException("1.." + MAX_FILES + " files, got " + files.size());
        }
        if (depth < 1 || depth > MAX_DEPTH || Integer.bitCount(depth) != 1) {
            throw new IllegalArgumentException("depth must be a power of two in 1.." + MAX_DEPTH + ", got " + depth);
        }
        if (bufferCount < 1 || bufferCount > SubmissionDescriptor.MAX_SLOTS) {
            throw new IllegalArgumentException("bufferCount must be in 1.." + SubmissionDescriptor.MAX_SLOTS
                    + ", got " + bufferCount);
        }
        if (bufferSizeBytes < BUFFER_ALIGNMENT || bufferSizeBytes % BUFFER_ALIGNMENT != 0) {
            throw new IllegalArgumentException("bufferSizeBytes must be a positive multiple of " + BUFFER_ALIGNMENT
                    + ", got " + bufferSizeBytes);
        }
        if ((long) bufferCount * bufferSizeBytes > (1L << 40)) {
            throw new IllegalArgumentException("slab of " + bufferCount + " x " + bufferSizeBytes + " B is too large");
        }
    }

    /** One file, read-only. */
    public static QueuePairConfig readOnly(Path file, int depth, int bufferCount, int bufferSizeBytes) {
        return new QueuePairConfig(List.of(file), false, depth, bufferCount, bufferSizeBytes);
    }
}
