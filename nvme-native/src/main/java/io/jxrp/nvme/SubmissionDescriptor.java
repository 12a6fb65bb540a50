package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The submission descriptor record Java stages and the shim turns into SQEs
 * ({@code struct jxrp_descriptor} in {@code jxrp.h}), little-endian, 24 bytes, 8-aligned:
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
 *  |                 length (u32, bytes)                           | 16
 *  +-------------------------------+---------------+---------------+
 *  |       slot (u16, buffer)      | fileIndex (u8)|    op (u8)    | 20
 *  +-------------------------------+---------------+---------------+
 * </pre>
 */
final class SubmissionDescriptor {
    static final int TAG_OFFSET = 0;
    static final int OFFSET_OFFSET = 8;
    static final int LENGTH_OFFSET = 16;
    static final int SLOT_OFFSET = 20;
    static final int FILE_INDEX_OFFSET = 22;
    static final int OP_OFFSET = 23;
    static final int LENGTH = 24;
    static final int ALIGNMENT = 8;

    static final byte OP_READ = 0;
    static final byte OP_WRITE = 1;

    /** Highest slot the u16 field can name. */
    static final int MAX_SLOTS = 1 << 16;

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SubmissionDescriptor() {}

    static void write(MemorySegment array, int index, long tag, long offset, int length, int slot, int fileIndex,
                      byte op) {
        long base = (long) index * LENGTH;
        array.set(U64, base + TAG_OFFSET, tag);
        array.set(U64, base + OFFSET_OFFSET, offset);
        array.set(U32, base + LENGTH_OFFSET, length);
        array.set(U16, base + SLOT_OFFSET, (short) slot);
        array.set(ValueLayout.JAVA_BYTE, base + FILE_INDEX_OFFSET, (byte) fileIndex);
        array.set(ValueLayout.JAVA_BYTE, base + OP_OFFSET, op);
    }

    /** Tags the shim uses for its own requests (-4..-1). */
    static boolean isReservedTag(long tag) {
        return (tag | 3L) == -1L;
    }
}
