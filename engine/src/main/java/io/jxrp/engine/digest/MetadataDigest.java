package io.jxrp.engine.digest;

import java.nio.file.Path;

/**
 * Translates a file's logical offsets to offsets on the device the engine reads (file index 0 of
 * its queues), versioned so a mapping that changed between submission and completion is caught.
 *
 * <p>Thread-safe; {@link #translate} and {@link #version} are on the hot path (every hop).
 */
public interface MetadataDigest extends AutoCloseable {

    /** {@link #translate}: the range is not inside the file. */
    long OUTSIDE_FILE = -1;
    /** {@link #translate}: the range may not be bypassed; read it through the file (file index 1). */
    long THROUGH_FILE = -2;
    /** {@link #translate}: the mapping is being re-read after a change; the request is stale. */
    long UNAVAILABLE = -3;

    /** What the engine opens as file index 0: the file itself, or the block device holding it. */
    Path devicePath();

    /** The file, opened as file index 1 when it differs from {@link #devicePath()}. */
    Path filePath();

    /** Bytes in the file; logical offsets must stay below this. */
    long fileSizeBytes();

    /** Changes whenever the mapping may have changed. Read it at submission and again after the read. */
    long version();

    /**
     * @return the device offset of {@code [logicalOffset, logicalOffset + lengthBytes)}, or one of the
     *         negative codes above
     */
    long translate(long logicalOffset, long lengthBytes);

    /**
     * The engine finished a write that ends at {@code endOffset}: a digest of a file that grows with
     * writes raises {@link #fileSizeBytes()} to it. The default ignores it (a fixed-size mapping).
     */
    default void grown(long endOffset) {
    }

    /** One line for logs: kind, extent count, version. */
    String describe();

    @Override
    default void close() {
    }
}
