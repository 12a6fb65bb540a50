package io.jxrp.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The record {@code jxrp_nvme_namespace_probe} fills ({@code struct jxrp_nvme_namespace} in
 * {@code nvme_passthru.h}), little-endian, 24 bytes:
 *
 * <pre>
 *  0 +---------------------------------------------------------------+
 *    |               blocks (u64): NSZE, the size in logical blocks    |
 *  8 +-------------------------------+-------------------------------+
 *    | nsid (u32): NVME_IOCTL_ID     | lba_bytes (u32): 2^LBADS       |
 * 16 +-------------------------------+-------------------------------+
 *    | metadata_bytes (u32) per LBA  | flags (u32): bit 0 extended    |
 *    |                               | LBA, bit 1 passthrough read    |
 *    |                               | worked, bit 2 ... with a fixed |
 *    |                               | buffer                         |
 * 24 +-------------------------------+-------------------------------+
 * </pre>
 */
final class NvmeNamespaceDescriptor {
    static final int BLOCKS_OFFSET = 0;
    static final int NSID_OFFSET = 8;
    static final int LBA_BYTES_OFFSET = 12;
    static final int METADATA_BYTES_OFFSET = 16;
    static final int FLAGS_OFFSET = 20;
    static final int LENGTH = 24;
    static final int ALIGNMENT = 8;

    static final int FLAG_EXTENDED_LBA = 1;
    static final int FLAG_PASSTHRU = 2;
    static final int FLAG_FIXED = 4;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NvmeNamespaceDescriptor() {}

    static long blocks(MemorySegment record) {
        return record.get(U64, BLOCKS_OFFSET);
    }

    static int nsid(MemorySegment record) {
        return record.get(U32, NSID_OFFSET);
    }

    static int lbaBytes(MemorySegment record) {
        return record.get(U32, LBA_BYTES_OFFSET);
    }

    static int metadataBytes(MemorySegment record) {
        return record.get(U32, METADATA_BYTES_OFFSET);
    }

    static int flags(MemorySegment record) {
        return record.get(U32, FLAGS_OFFSET);
    }
}
