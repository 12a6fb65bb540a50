package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The submission descriptor record Java stages and a shim turns into commands
 * ({@code struct jxrp_descriptor} in {@code jxrp.h}, shared by the io_uring, passthrough and SPDK
 * shims), little-endian, 32 bytes, 8-aligned:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        tag (u64)                              |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 offset (u64, bytes into the file)             |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 length (u32, bytes; 0 for FLUSH)              | 16
 *  +---------------------------------------------------------------+
 *  |                 slot (u32, buffer)                            | 20
 *  +---------------------------------------------------------------+
 *  |                 file (u32, attached file handle)              | 24
 *  +---------------+-----------------------------------------------+
 *  |    op (u8)    |                  pad (3 bytes)                | 28
 *  +---------------+-----------------------------------------------+
 * </pre>
 */
public final class SubmissionDescriptor {
    static final int TAG_OFFSET = 0;
    static final int OFFSET_OFFSET = 8;
    static final int LENGTH_OFFSET = 16;
    static final int SLOT_OFFSET = 20;
    static final int FILE_OFFSET = 24;
    static final int OP_OFFSET = 28;
    public static final int LENGTH = 32;
    public static final int ALIGNMENT = 8;

    public static final byte OP_READ = 0;
    public static final byte OP_WRITE = 1;
    /** fdatasync of a file, an NVMe FLUSH of a namespace: the writes completed before it are durable. */
    public static final byte OP_FLUSH = 2;

    /** Most buffer slots a queue pair has (the slab is registered as one fixed buffer each). */
    public static final int MAX_SLOTS = 1 << 16;

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SubmissionDescriptor() {}

    /** Writes record {@code index} of {@code array} (the pad bytes are zeroed). */
    public static void write(MemorySegment array, int index, long tag, long offset, int length, int slot, int file,
                             byte op) {
        long base = (long) index * LENGTH;
        array.set(U64, base + TAG_OFFSET, tag);
        array.set(U64, base + OFFSET_OFFSET, offset);
        array.set(U32, base + LENGTH_OFFSET, length);
        array.set(U32, base + SLOT_OFFSET, slot);
        array.set(U32, base + FILE_OFFSET, file);
        array.set(U32, base + OP_OFFSET, op & 0xff);
    }

    /** Tags the shims use for their own requests (-4..-1). */
    public static boolean isReservedTag(long tag) {
        return (tag | 3L) == -1L;
    }
}
