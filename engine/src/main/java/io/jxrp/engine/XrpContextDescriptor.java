package io.jxrp.engine;

/**
 * Layout of the storage-function context: XRP's {@code struct bpf_xrp} with two jxrp fields appended.
 * Little-endian, shared by Java functions ({@link XrpContext}) and eBPF programs ({@code jxrp/xrp.h}).
 *
 * <pre>
 *   0                   8         12        16
 *   +-------------------+---------+---------+
 *   | u64 data          | s32 done| (pad)   |
 *   +-------------------+---------+---------+  16
 *   | u64 next_addr[16]  logical offsets to read next              |
 *   +---------------------------------------------------------------+ 144
 *   | u64 size[16]       their sizes; 0 = no read in that slot      |
 *   +---------------------------------------------------------------+ 272
 *   | u64 scratch        the request's 4 KiB scratch page           |
 *   +---------------------------------------------------------------+ 280
 *   | u64 cur_addr       jxrp: logical offset of data               |
 *   +---------------------------------------------------------------+ 288
 *   | u32 slot           jxrp: next_addr slot that produced data    |
 *   +---------------------------------------------------------------+ 292 (304 allocated)
 * </pre>
 */
public final class XrpContextDescriptor {
    public static final int DATA_OFFSET = 0;
    public static final int DONE_OFFSET = 8;
    public static final int NEXT_ADDR_OFFSET = 16;
    public static final int SIZE_OFFSET = 144;
    public static final int SCRATCH_OFFSET = 272;
    public static final int CUR_ADDR_OFFSET = 280;
    public static final int SLOT_OFFSET = 288;

    /** Number of next-read slots (XRP declares 16 and uses one; jxrp reads all of them in parallel). */
    public static final int MAX_NEXT = 16;
    /** Bytes the fields occupy. */
    public static final int LENGTH = 292;
    /** Bytes allocated per context: LENGTH rounded up to a multiple of 16. */
    public static final int ALLOCATED_LENGTH = 304;
    /**
     * Size of the per-request scratch page, and the most a request may use; a request asking for
     * less ({@link XrpRequest#withScratchBytes}) gets a scratch of exactly that size.
     */
    public static final int SCRATCH_SIZE = 4096;

    /** First byte cleared before every invocation (done), and the end of the cleared range (size[] end). */
    static final int CLEAR_FROM = DONE_OFFSET;
    static final int CLEAR_TO = SCRATCH_OFFSET;

    private XrpContextDescriptor() {
    }

    public static int nextAddrOffset(int slot) {
        checkSlot(slot);
        return NEXT_ADDR_OFFSET + slot * Long.BYTES;
    }

    public static int sizeOffset(int slot) {
        checkSlot(slot);
        return SIZE_OFFSET + slot * Long.BYTES;
    }

    public static void checkSlot(int slot) {
        if (slot < 0 || slot >= MAX_NEXT) {
            throw new IndexOutOfBoundsException("next-read slot " + slot + " outside 0.." + (MAX_NEXT - 1));
        }
    }
}
