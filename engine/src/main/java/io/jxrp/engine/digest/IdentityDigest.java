package io.jxrp.engine.digest;

import java.nio.file.Path;

/** The file is what the engine reads: logical offset = device offset, the version never changes. */
public final class IdentityDigest implements MetadataDigest {
    private final Path file;
    private final long sizeBytes;

    public IdentityDigest(Path file, long sizeBytes) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size " + sizeBytes);
        }
        this.file = file;
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
    public long version() {
        return 0;
    }

    @Override
    public long translate(long logicalOffset, long lengthBytes) {
        // The engine checks the requested range; the aligned span it translates may end past a size
        // that is not a block multiple, where the device simply returns a short read.
        if (logicalOffset < 0 || lengthBytes <= 0 || logicalOffset >= sizeBytes) {
            return OUTSIDE_FILE;
        }
        return logicalOffset;
    }

    @Override
    public String describe() {
        return "identity digest over " + file + " (" + sizeBytes + " bytes)";
    }
}
