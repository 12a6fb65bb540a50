package io.jxrp.engine;

/** How logical file offsets become device offsets. */
public enum DigestKind {
    /** Read the file itself; the file system maps (or the file is a raw device). */
    IDENTITY,
    /**
     * Read the file's extents with FIEMAP and read the underlying block device directly, bypassing the
     * file system as XRP does. Needs root (or read access to the device).
     */
    FIEMAP
}
