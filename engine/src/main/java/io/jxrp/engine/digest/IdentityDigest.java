package io.jxrp.engine.digest;

import java.nio.file.Path;

/**
 * The file is what the engine reads: logical offset = device offset, the version never changes. The
 * size grows with the engine's own writes past the end ({@link #grown}).
 */
public final class IdentityDigest implements MetadataDigest {
    private final Path file;
    private final String name;
    private volatile long sizeBytes;

    public IdentityDigest(Path file, long sizeBytes) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size " + sizeBytes);
        }
        this.file = file;
        this.name = file.toString();
        this.sizeBytes = sizeBytes;
    }

    /** A digest of a device that is not a path (an SPDK namespace): {@link #devicePath()} is null. */
    public IdentityDigest(String name, long sizeBytes) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size " + sizeBytes);
        }
        this.file = null;
        this.name = name;
        this.sizeBytes = sizeBytes;
    }

    @Override
    public Path devicePath() {
        return file;
    }

    @Override
    public Path filePath() {
        return file;
    }

    @Override
    public long fileSizeBytes() {
        return sizeBytes;
    }

    @Override
    public synchronized void grown(long endOffset) {
        if (endOffset > sizeBytes) {
            sizeBytes = endOffset;
        }
    }

    @Override
    public long version() {
        return 0;
    }

    @Override
    public long translate(long logicalOffset, long lengthBytes) {
        // The engine checks the requested range; the aligned span it translates may end past a size
        // that is not a block multiple, where the device simply returns a short read.
        if (logicalOffset < 0 || lengthBytes <= 0 || logicalOffset >= this.sizeBytes) {
            return OUTSIDE_FILE;
        }
        return logicalOffset;
    }

    @Override
    public String describe() {
        return "identity digest over " + name + " (" + sizeBytes + " bytes)";
    }
}
