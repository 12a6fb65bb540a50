package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The record {@code jxrp_device_probe} fills ({@code struct jxrp_device_facts} in
 * {@code device.c}), little-endian, 24 bytes:
 *
 * <pre>
 *  0 +---------------------------------------------------------------+
 *    |                    size_bytes (u64)                           |
 *  8 +-------------------------------+-------------------------------+
 *    | logical_block_size (u32, 0 =  |  flags (u32): bit 0 block     |
 *    |  unknown: ask sysfs)          |  device, bit 1 O_DIRECT works |
 * 16 +-------------------------------+-------------------------------+
 *    | dev_major (u32)               | dev_minor (u32)               |
 * 24 +-------------------------------+-------------------------------+
 * </pre>
 * dev_major/minor: {@code st_rdev} of a block device, {@code st_dev} of a regular file.
 */
final class DeviceFactsDescriptor {
    static final int SIZE_BYTES_OFFSET = 0;
    static final int LOGICAL_BLOCK_SIZE_OFFSET = 8;
    static final int FLAGS_OFFSET = 12;
    static final int DEV_MAJOR_OFFSET = 16;
    static final int DEV_MINOR_OFFSET = 20;
    static final int LENGTH = 24;
    static final int ALIGNMENT = 8;

    static final int FLAG_BLOCK_DEVICE = 1;
    static final int FLAG_DIRECT_IO = 2;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private DeviceFactsDescriptor() {}

    static long sizeBytes(MemorySegment record) {
        return record.get(U64, SIZE_BYTES_OFFSET);
    }

    static int logicalBlockSize(MemorySegment record) {
        return record.get(U32, LOGICAL_BLOCK_SIZE_OFFSET);
    }

    static int flags(MemorySegment record) {
        return record.get(U32, FLAGS_OFFSET);
    }

    static int devMajor(MemorySegment record) {
        return record.get(U32, DEV_MAJOR_OFFSET);
    }

    static int devMinor(MemorySegment record) {
        return record.get(U32, DEV_MINOR_OFFSET);
    }
}
