package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The completion record the shim writes for every reaped CQE ({@code struct jxrp_completion} in
 * {@code jxrp.h}), little-endian, 16 bytes, 8-aligned:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  tag (u64, from the descriptor)               |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          result (s32: bytes transferred, or -errno)           |  8
 *  +---------------------------------------------------------------+
 *  |                          pad (u32)                            | 12
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class CompletionDescriptor {
    static final int TAG_OFFSET = 0;
    static final int RESULT_OFFSET = 8;
    public static final int LENGTH = 16;
    public static final int ALIGNMENT = 8;

    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CompletionDescriptor() {}

    public static long tag(MemorySegment array, int index) {
        return array.get(U64, (long) index * LENGTH + TAG_OFFSET);
    }

    public static int result(MemorySegment array, int index) {
        return array.get(S32, (long) index * LENGTH + RESULT_OFFSET);
    }
}
