package io.jxrp.engine;

/** How logical file offsets become device offsets. */
public enum DigestKind {
    /** Read the file itself; the file system maps (or the file is a raw device). */
    IDENTITY,
    /**
     * Read the file's extents with FIEMAP and read the underlying block device directly, bypassing the
     * file system as XRP does. Needs root (or read access to the device).
     */
    FIEMAP;

    /** {@code identity} or {@code fiemap}, as options spell them. */
    public static DigestKind parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown digest '" + name + "' (identity, fiemap)", e);
        }
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
