package io.jxrp.nvme.spdk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The namespace facts record {@code jxrp_spdk_ns_info} fills ({@code struct jxrp_spdk_ns_info} in
 * {@code spdk_ctrlr.c}), little-endian, 32 bytes, 8-aligned:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  sector count (u64)                           |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  sector size (u32, bytes)                     |  8
 *  +---------------------------------------------------------------+
 *  |                  max transfer (u32, bytes per command)        | 12
 *  +---------------------------------------------------------------+
 *  |                  flags (u32: bit 0 FLUSH supported)           | 16
 *  +---------------------------------------------------------------+
 *  |                  pad (u32), reserved (u64)                    | 20
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class NamespaceInfoDescriptor {
    static final int SECTOR_COUNT_OFFSET = 0;
    static final int SECTOR_SIZE_OFFSET = 8;
    static final int MAX_TRANSFER_OFFSET = 12;
    static final int FLAGS_OFFSET = 16;
    static final int LENGTH = 32;
    static final int ALIGNMENT = 8;
    static final int FLAG_FLUSH = 1;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NamespaceInfoDescriptor() {}

    static NamespaceInfo read(MemorySegment record, int nsid) {
        return new NamespaceInfo(nsid, record.get(U32, SECTOR_SIZE_OFFSET), record.get(U64, SECTOR_COUNT_OFFSET),
                record.get(U32, MAX_TRANSFER_OFFSET), (record.get(U32, FLAGS_OFFSET) & FLAG_FLUSH) != 0);
    }
}
