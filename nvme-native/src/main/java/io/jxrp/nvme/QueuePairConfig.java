package io.jxrp.nvme;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link QueuePair} sets up: a ring of {@code depth} entries (a power of two, 1..4096), a slab
 * of {@code bufferCount} buffers of {@code bufferSizeBytes} each (a multiple of 4096), a registered
 * file table of {@code maxFiles} slots, and the files to attach at once (0 or more, all opened
 * {@code O_DIRECT}, read-only or read-write; they get handles 0, 1, ... in order). More files attach
 * and detach later with {@link QueuePair#attach} and {@link QueuePair#detach}.
 */
public record QueuePairConfig(List<Path> files, boolean writable, int depth, int bufferCount, int bufferSizeBytes,
                              int maxFiles) {
    /** Most files attached to one queue pair at once (the shim's {@code JXRP_MAX_FILES}). */
    public static final int MAX_FILES = 4096;
    /** Default size of the registered file table. */
    public static final int DEFAULT_MAX_FILES = 1024;
    public static final int MAX_DEPTH = 4096;
    public static final int BUFFER_ALIGNMENT = 4096;

    public QueuePairConfig {
        Objects.requireNonNull(files, "files");
        files = List.copyOf(files);
        if (maxFiles < 1 || maxFiles > MAX_FILES) {
            throw new IllegalArgumentException("maxFiles must be in 1.." + MAX_FILES + ", got " + maxFiles);
        }
        if (files.size() > maxFiles) {
            throw new IllegalArgumentException(files.size() + " files exceed the table of " + maxFiles);
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

    /** The given files attached at open, in a table of {@link #DEFAULT_MAX_FILES}. */
    public QueuePairConfig(List<Path> files, boolean writable, int depth, int bufferCount, int bufferSizeBytes) {
        this(files, writable, depth, bufferCount, bufferSizeBytes, Math.max(DEFAULT_MAX_FILES, files.size()));
    }

    /** No files yet: they attach later. */
    public static QueuePairConfig empty(int depth, int bufferCount, int bufferSizeBytes) {
        return new QueuePairConfig(List.of(), false, depth, bufferCount, bufferSizeBytes);
    }

    /** One file, read-only. */
    public static QueuePairConfig readOnly(Path file, int depth, int bufferCount, int bufferSizeBytes) {
        return new QueuePairConfig(List.of(file), false, depth, bufferCount, bufferSizeBytes);
    }
}
