package io.jxrp.bpfkv;

import java.nio.file.Path;

/**
 * A block of the database does not match its checksum in the sidecar: the block is corrupt (or was
 * changed behind the sidecar's back) and nothing read from it was used. {@link #offset()} is the
 * block's byte offset.
 */
public final class BpfKvChecksumException extends BpfKvFormatException {
    private static final long serialVersionUID = 1L;

    private final int expected;
    private final int actual;

    public BpfKvChecksumException(Path file, long blockOffset, int expected, int actual, Path sidecar) {
        super(file, blockOffset, String.format("block checksum mismatch: CRC32C 0x%08x where %s has 0x%08x "
                + "(corrupt block; nothing read from it was used)", actual, sidecar.getFileName(), expected));
        this.expected = expected;
        this.actual = actual;
    }

    /** The CRC32C the sidecar holds for the block. */
    public int expected() {
        return expected;
    }

    /** The CRC32C of the block as read. */
    public int actual() {
        return actual;
    }
}
