package io.jxrp.ebpf;

/**
 * The virtual address space programs see.
 *
 * <pre>
 *  63            32 31                0
 * +----------------+------------------+
 * |   region id    |  byte offset     |
 * +----------------+------------------+
 *   0            unmapped (null pointers fault)
 *   1, 2, 3      CONTEXT, DATA, SCRATCH (bound by the host)
 *   4            stack: 8 frames of 512 B, r10 of frame d = base + 512 * (8 - d)
 *   5 + i        value storage of the running program's map i (global data are maps too)
 *   2^30 + i     handle of map i (what lddw src=1 yields); not dereferenceable
 * </pre>
 */
final class Addresses {
    private Addresses() {}

    static final int STACK_ID = 4;
    static final int FIRST_MAP_ID = 5;
    static final int MAP_HANDLE_BASE = 1 << 30;
    static final int STACK_BYTES = Verifier.FRAME_BYTES * Verifier.MAX_FRAMES;
    /** r10 of the outermost frame. */
    static final long STACK_TOP = ((long) STACK_ID << 32) + STACK_BYTES;

    static long mapHandle(int index) {
        return (long) (MAP_HANDLE_BASE + index) << 32;
    }

    static long mapBase(int index) {
        return (long) (FIRST_MAP_ID + index) << 32;
    }

    static int regionId(long address) {
        return (int) (address >>> 32);
    }

    static long offsetOf(long address) {
        return address & 0xffffffffL;
    }
}
