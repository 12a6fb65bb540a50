package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The extent record {@code jxrp_fiemap} writes ({@code struct jxrp_extent} in {@code device.c},
 * copied from the kernel's {@code struct fiemap_extent}), little-endian, 32 bytes:
 *
 * <pre>
 *  0 +---------------------------------------------------------------+
 *    |          logical (u64, byte offset in the file)               |
 *  8 +---------------------------------------------------------------+
 *    |          physical (u64, byte offset on the device)            |
 * 16 +---------------------------------------------------------------+
 *    |          length (u64, bytes)                                  |
 * 24 +-------------------------------+-------------------------------+
 *    |   flags (u32, FIEMAP_EXTENT_*) |   reserved (u32)             |
 * 32 +-------------------------------+-------------------------------+
 * </pre>
 */
final class ExtentDescriptor {
    static final int LOGICAL_OFFSET = 0;
    static final int PHYSICAL_OFFSET = 8;
    static final int LENGTH_BYTES_OFFSET = 16;
    static final int FLAGS_OFFSET = 24;
    static final int LENGTH = 32;
    static final int ALIGNMENT = 8;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ExtentDescriptor() {}

    static Extent read(MemorySegment array, int index) {
        long base = (long) index * LENGTH;
        return new Extent(array.get(U64, base + LOGICAL_OFFSET), array.get(U64, base + PHYSICAL_OFFSET),
                array.get(U64, base + LENGTH_BYTES_OFFSET), array.get(U32, base + FLAGS_OFFSET));
    }
}
