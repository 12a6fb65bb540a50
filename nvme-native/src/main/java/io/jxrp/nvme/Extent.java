package io.jxrp.nvme;

/**
 * One FIEMAP extent: {@code lengthBytes} of the file starting at {@code logicalOffset} live on the
 * device at {@code physicalOffset}; {@code flags} are the kernel's {@code FIEMAP_EXTENT_*} bits.
 */
public record Extent(long logicalOffset, long physicalOffset, long lengthBytes, int flags) {
    /** Last extent of the file. */
    public static final int LAST = 0x0001;
    /** Data location unknown. */
    public static final int UNKNOWN = 0x0002;
    /** Location still pending (delayed allocation); sets UNKNOWN too. */
    public static final int DELALLOC = 0x0004;
    /** Data compressed or otherwise encoded; sets NOT_ALIGNED too. */
    public static final int ENCODED = 0x0008;
    /** Data encrypted by the file system. */
    public static final int DATA_ENCRYPTED = 0x0080;
    /** Extent offsets may not be block aligned. */
    public static final int NOT_ALIGNED = 0x0100;
    /** Data mixed with metadata (inline). */
    public static final int DATA_INLINE = 0x0200;
    /** Multiple files in one block (tail packing). */
    public static final int DATA_TAIL = 0x0400;
    /** Space allocated but never written: reads as zeros through the file system, garbage raw. */
    public static final int UNWRITTEN = 0x0800;
    /** Block mapped from another file system (merged). */
    public static final int MERGED = 0x1000;
    /** Space shared with other files (reflink, snapshots). */
    public static final int SHARED = 0x2000;

    /** Flags that make reading {@link #physicalOffset} directly wrong. */
    public static final int NOT_BYPASSABLE = UNKNOWN | DELALLOC | ENCODED | DATA_ENCRYPTED | NOT_ALIGNED
            | DATA_INLINE | DATA_TAIL | UNWRITTEN;

    /**
     * True when the extent's bytes can be read straight from the device at
     * {@link #physicalOffset}: none of {@link #NOT_BYPASSABLE}.
     *
     * <p>{@link #SHARED} is bypassable: for reads, a shared extent (reflink, snapshot) holds exactly
     * this file's bytes; the file system copies on write, so a later write to this file moves the
     * data elsewhere and changes the mapping, which the digest's version check (leases, re-FIEMAP)
     * must catch anyway, as for any rewrite. XRP likewise reads whatever extent the file maps.
     */
    public boolean bypassable() {
        return (flags & NOT_BYPASSABLE) == 0;
    }

    /** {@link #LAST} set. */
    public boolean last() {
        return (flags & LAST) != 0;
    }

    /** One past the last logical byte. */
    public long logicalEnd() {
        return logicalOffset + lengthBytes;
    }
}
