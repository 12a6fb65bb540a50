package io.jxrp.bpfkv.format;

import io.jxrp.bpfkv.function.GetFunction;
import io.jxrp.bpfkv.function.MultiGetFunction;
import io.jxrp.bpfkv.function.RangeScanFunction;
import io.jxrp.ebpf.BtfLayout;
import io.jxrp.ebpf.BtfTypes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layouts of the 4 KiB scratch page for BPF-KV's storage functions: the tree parameters first, then
 * one section per function. Little-endian; the eBPF programs that mirror these functions use the
 * same offsets. A point lookup uses only the first {@link #GET_END} bytes and asks the engine for a
 * scratch of that size (the engine zeroes what a request uses, and a smaller page is cheaper to
 * zero on every request); the others use up to the whole page.
 *
 * <pre>
 * Tree parameters, the first 32 B of every request's scratch (set before the first read, for
 * functions that do not know the file, e.g. eBPF programs; the Java functions know it already)
 *   0      value_log   u64   byte offset of the value log (T * 512); below it are index nodes
 *   8      file_size   u64
 *   16     leaves      u64   byte offset of the first leaf
 *   24     layers      u32   L
 *   28     flags       u32   bit 0 FIXED_SLOTS: key K's value is at value_log + K * 64 (create's
 *                            layout), so a leaf's value pointer must point exactly there
 *
 * Every section's offsets below count from SECTION = 32.
 *
 * Point lookup ({@link GetFunction})
 *   0        8        16       24                88
 *   +--------+--------+--------+----------------+
 *   | key    | found  | error  | value[64]      |
 *   +--------+--------+--------+----------------+
 *   key        the key looked up (set before the first read)
 *   found      1 when the value was copied into value[]
 *   error      0, or the function's error code (the request ends with FUNCTION_ERROR)
 *   value_off  (at 88) the value's byte offset, set by the leaf hop for the value hop
 *   lo, hi     (at 96, 104) the bounds the parent's separators give the next node's keys:
 *              [lo, hi), hi 0 = none (set by the host from the cached levels, then by each hop)
 *
 * Scatter-gather lookup ({@link MultiGetFunction}), up to 32 keys, up to 16 branches
 *   0          4          8          12         16          24                  40
 *   +----------+----------+----------+----------+-----------+-------------------+
 *   | count    | next_key | resolved | error    | error_off | slot_key[16] (u8) |
 *   +----------+----------+----------+----------+-----------+-------------------+
 *   64    keys[32]        u64      the keys, in request order
 *   320   start[32]       u64      first read of each key: a node offset, or the value's block when cached
 *   576   value_off[32]   u64      the value's byte offset, once the leaf is found (or from the cache)
 *   832   status[32]      u8       0 pending, 1 found, 2 not found
 *   864   values[32][64]           the values, by key index (ends at 2912, 2944 from the page start)
 *   2912  lo[32]          u64      per key: the bounds the parent's separators give its next node's
 *   3168  hi[32]          u64      keys, [lo, hi), hi 0 = none (ends at 3424, 3456 from the page start)
 *   A branch is a next-read slot: slot s always works on key slot_key[s]; when its key is resolved
 *   it starts key next_key (keys past the first 16 wait there).
 *
 * Range scan and aggregation ({@link RangeScanFunction}), resumable
 *   0      mode        u32   0 pairs, 1 aggregate
 *   4      capacity    u32   entries this request may take
 *   8      first       u64   first key to return (inclusive)
 *   16     last        u64   last key to return (inclusive)
 *   24     assigned    u32   entries taken from leaves so far
 *   28     filled      u32   entries whose value arrived
 *   32     more        u32   1: stopped because the entries ran out; resume at resume_key in resume_leaf
 *   36     error       u32
 *   40     resume_key  u64
 *   48     resume_leaf u64   offset of the leaf that holds resume_key
 *   56     prev_key    u64   last key taken + 1 (0: none yet): keys must ascend
 *   64     count       u64   aggregate mode: values folded in so far
 *   72     sum         u64
 *   80     min         u64
 *   88     max         u64
 *   96     error_off   u64
 *   104    fill_from   u32   entries below it are all filled (where a value block's scan starts)
 *   112    lo          u64   bounds the parent's separators give the next node of the descent,
 *   120    hi          u64   [lo, hi), hi 0 = none; reset when the scan follows a leaf's next word
 *   128    entries     pairs mode: 80 B each {u64 key, u64 value_off, value[64]}, 49 of them;
 *                      aggregate mode: 8 B each {u64 value_off}, 492 of them.
 *                      value_off becomes 0 once the value block has been consumed.
 * </pre>
 */
public final class ScratchDescriptor {
    public static final int SCRATCH_SIZE = 4096;
    public static final ValueLayout.OfLong U64 = NodeDescriptor.U64;
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // ---- tree parameters, every layout: the first 32 bytes ----
    public static final int PARAMS = 0;
    public static final int PARAM_VALUE_LOG = PARAMS;
    public static final int PARAM_FILE_SIZE = PARAMS + 8;
    public static final int PARAM_LEAVES = PARAMS + 16;
    public static final int PARAM_LAYERS = PARAMS + 24;
    public static final int PARAM_FLAGS = PARAMS + 28;
    /** Flag: key K's value is at value_log + K * 64 (files made by create). */
    public static final int FLAG_FIXED_SLOTS = 1;
    /** Where each function's own section starts: right after the parameters. */
    public static final int SECTION = 32;

    // ---- point lookup ----
    public static final int GET_KEY = SECTION + 0; // 32
    public static final int GET_FOUND = SECTION + 8; // 40
    public static final int GET_ERROR = SECTION + 16; // 48
    public static final int GET_VALUE = SECTION + 24; // 56
    public static final int GET_VALUE_OFFSET = SECTION + 88; // 120
    public static final int GET_LO = SECTION + 96; // 128
    public static final int GET_HI = SECTION + 104; // 136
    /** Scratch bytes a point lookup uses (parameters and its section): all it asks the engine to zero. */
    public static final int GET_END = GET_HI + 8; // 144

    // ---- scatter-gather lookup ----
    public static final int MULTI_MAX_KEYS = 32;
    public static final int MULTI_MAX_BRANCHES = 16;
    public static final int MULTI_COUNT = SECTION + 0; // 32
    public static final int MULTI_NEXT_KEY = SECTION + 4; // 36
    public static final int MULTI_RESOLVED = SECTION + 8; // 40
    public static final int MULTI_ERROR = SECTION + 12; // 44
    public static final int MULTI_ERROR_OFFSET = SECTION + 16; // 48
    public static final int MULTI_SLOT_KEY = SECTION + 24; // 56
    public static final int MULTI_KEYS = SECTION + 64; // 96
    public static final int MULTI_START = MULTI_KEYS + MULTI_MAX_KEYS * 8; // 352
    public static final int MULTI_VALUE_OFFSET = MULTI_START + MULTI_MAX_KEYS * 8; // 608
    public static final int MULTI_STATUS = MULTI_VALUE_OFFSET + MULTI_MAX_KEYS * 8; // 864
    public static final int MULTI_VALUES = MULTI_STATUS + MULTI_MAX_KEYS; // 896
    public static final int MULTI_LO = MULTI_VALUES + MULTI_MAX_KEYS * NodeDescriptor.VALUE_SIZE; // 2944
    public static final int MULTI_HI = MULTI_LO + MULTI_MAX_KEYS * 8; // 3200
    public static final int MULTI_END = MULTI_HI + MULTI_MAX_KEYS * 8; // 3456
    public static final int STATUS_PENDING = 0;
    public static final int STATUS_FOUND = 1;
    public static final int STATUS_NOT_FOUND = 2;

    // ---- range scan / aggregation ----
    public static final int MODE_PAIRS = 0;
    public static final int MODE_AGGREGATE = 1;
    public static final int RANGE_MODE = SECTION + 0; // 32
    public static final int RANGE_CAPACITY = SECTION + 4; // 36
    public static final int RANGE_FIRST = SECTION + 8; // 40
    public static final int RANGE_LAST = SECTION + 16; // 48
    public static final int RANGE_ASSIGNED = SECTION + 24; // 56
    public static final int RANGE_FILLED = SECTION + 28; // 60
    public static final int RANGE_MORE = SECTION + 32; // 64
    public static final int RANGE_ERROR = SECTION + 36; // 68
    public static final int RANGE_RESUME_KEY = SECTION + 40; // 72
    public static final int RANGE_RESUME_LEAF = SECTION + 48; // 80
    public static final int RANGE_PREV_KEY = SECTION + 56; // 88
    public static final int RANGE_COUNT = SECTION + 64; // 96
    public static final int RANGE_SUM = SECTION + 72; // 104
    public static final int RANGE_MIN = SECTION + 80; // 112
    public static final int RANGE_MAX = SECTION + 88; // 120
    public static final int RANGE_ERROR_OFFSET = SECTION + 96; // 128
    public static final int RANGE_FILL_FROM = SECTION + 104; // 136
    public static final int RANGE_LO = SECTION + 112; // 144
    public static final int RANGE_HI = SECTION + 120; // 152
    public static final int RANGE_ENTRIES = SECTION + 128; // 160
    public static final int PAIR_KEY = 0;
    public static final int PAIR_VALUE_OFFSET = 8;
    public static final int PAIR_VALUE = 16;
    public static final int PAIR_SIZE = 16 + NodeDescriptor.VALUE_SIZE; // 80
    public static final int AGGREGATE_ENTRY_SIZE = 8;
    public static final int MAX_PAIRS = (SCRATCH_SIZE - RANGE_ENTRIES) / PAIR_SIZE; // 49
    public static final int MAX_AGGREGATE_ENTRIES = (SCRATCH_SIZE - RANGE_ENTRIES) / AGGREGATE_ENTRY_SIZE; // 492

    private ScratchDescriptor() {
    }

    public static int multiKeyOffset(int index) {
        return MULTI_KEYS + index * 8;
    }

    public static int multiStartOffset(int index) {
        return MULTI_START + index * 8;
    }

    public static int multiValueOffsetOffset(int index) {
        return MULTI_VALUE_OFFSET + index * 8;
    }

    public static int multiStatusOffset(int index) {
        return MULTI_STATUS + index;
    }

    public static int multiValueOffset(int index) {
        return MULTI_VALUES + index * NodeDescriptor.VALUE_SIZE;
    }

    public static int multiLoOffset(int index) {
        return MULTI_LO + index * 8;
    }

    public static int multiHiOffset(int index) {
        return MULTI_HI + index * 8;
    }

    public static int pairOffset(int index) {
        return RANGE_ENTRIES + index * PAIR_SIZE;
    }

    public static int aggregateEntryOffset(int index) {
        return RANGE_ENTRIES + index * AGGREGATE_ENTRY_SIZE;
    }

    /** Writes the tree parameters into a request's scratch page. */
    public static void writeParams(MemorySegment scratch, TreeLayout layout, long fileSizeBytes) {
        scratch.set(U64, PARAM_VALUE_LOG, layout.valueLogOffset());
        scratch.set(U64, PARAM_FILE_SIZE, fileSizeBytes);
        scratch.set(U64, PARAM_LEAVES, layout.levelStartBytes(layout.layers() - 1));
        scratch.set(U32, PARAM_LAYERS, layout.layers());
        scratch.set(U32, PARAM_FLAGS, layout.fixesValueSlots() ? FLAG_FIXED_SLOTS : 0);
    }

    /**
     * The scratch layouts as the eBPF programs declare them ({@code struct bpfkv_get},
     * {@code bpfkv_multi_get}, {@code bpfkv_range} in {@code bpfkv.c}): C struct field -> the
     * offset this class uses.
     */
    private static final Object[][] BTF_FIELDS = {
        {"bpfkv_get", "params.value_log", PARAM_VALUE_LOG}, {"bpfkv_get", "params.file_size", PARAM_FILE_SIZE},
        {"bpfkv_get", "params.leaves", PARAM_LEAVES}, {"bpfkv_get", "params.layers", PARAM_LAYERS},
        {"bpfkv_get", "params.flags", PARAM_FLAGS},
        {"bpfkv_get", "key", GET_KEY}, {"bpfkv_get", "found", GET_FOUND}, {"bpfkv_get", "error", GET_ERROR},
        {"bpfkv_get", "value", GET_VALUE}, {"bpfkv_get", "value_offset", GET_VALUE_OFFSET},
        {"bpfkv_get", "lo", GET_LO}, {"bpfkv_get", "hi", GET_HI},
        {"bpfkv_multi_get", "count", MULTI_COUNT}, {"bpfkv_multi_get", "next_key", MULTI_NEXT_KEY},
        {"bpfkv_multi_get", "resolved", MULTI_RESOLVED}, {"bpfkv_multi_get", "error", MULTI_ERROR},
        {"bpfkv_multi_get", "error_offset", MULTI_ERROR_OFFSET}, {"bpfkv_multi_get", "slot_key", MULTI_SLOT_KEY},
        {"bpfkv_multi_get", "keys", MULTI_KEYS}, {"bpfkv_multi_get", "start", MULTI_START},
        {"bpfkv_multi_get", "value_offset", MULTI_VALUE_OFFSET}, {"bpfkv_multi_get", "status", MULTI_STATUS},
        {"bpfkv_multi_get", "values", MULTI_VALUES},
        {"bpfkv_multi_get", "lo", MULTI_LO}, {"bpfkv_multi_get", "hi", MULTI_HI},
        {"bpfkv_range", "mode", RANGE_MODE}, {"bpfkv_range", "capacity", RANGE_CAPACITY},
        {"bpfkv_range", "first", RANGE_FIRST}, {"bpfkv_range", "last", RANGE_LAST},
        {"bpfkv_range", "assigned", RANGE_ASSIGNED}, {"bpfkv_range", "filled", RANGE_FILLED},
        {"bpfkv_range", "more", RANGE_MORE}, {"bpfkv_range", "error", RANGE_ERROR},
        {"bpfkv_range", "resume_key", RANGE_RESUME_KEY}, {"bpfkv_range", "resume_leaf", RANGE_RESUME_LEAF},
        {"bpfkv_range", "prev_key", RANGE_PREV_KEY}, {"bpfkv_range", "count", RANGE_COUNT},
        {"bpfkv_range", "sum", RANGE_SUM}, {"bpfkv_range", "min", RANGE_MIN}, {"bpfkv_range", "max", RANGE_MAX},
        {"bpfkv_range", "error_offset", RANGE_ERROR_OFFSET}, {"bpfkv_range", "fill_from", RANGE_FILL_FROM},
        {"bpfkv_range", "lo", RANGE_LO}, {"bpfkv_range", "hi", RANGE_HI},
        {"bpfkv_range", "entries", RANGE_ENTRIES},
        {"bpfkv_range", "entries.pairs[1].key", pairOffset(1) + PAIR_KEY},
        {"bpfkv_range", "entries.pairs[1].value_offset", pairOffset(1) + PAIR_VALUE_OFFSET},
        {"bpfkv_range", "entries.pairs[1].value", pairOffset(1) + PAIR_VALUE},
        {"bpfkv_range", "entries.value_offsets[1]", aggregateEntryOffset(1)},
    };

    /**
     * Compares these offsets with the layouts an eBPF object's BTF gives its scratch structs, and
     * the page sizes they imply: null when every field agrees, else what differs first.
     */
    public static String layoutMismatch(BtfTypes btf) {
        for (Object[] f : BTF_FIELDS) {
            String struct = (String) f[0], field = (String) f[1];
            int expected = (Integer) f[2];
            BtfLayout layout = btf.layout(struct).orElse(null);
            if (layout == null) {
                return "no struct " + struct + " in its BTF";
            }
            long offset;
            try {
                offset = layout.offsetOf(field);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                return struct + "." + field + ": " + e.getMessage();
            }
            if (offset != expected) {
                return struct + "." + field + " is at " + offset + " in the object, at " + expected + " in ScratchDescriptor";
            }
        }
        long getSize = btf.layout("bpfkv_get").orElseThrow().size();
        if (getSize != GET_END) {
            return "struct bpfkv_get is " + getSize + " B, a point lookup asks for " + GET_END;
        }
        return null;
    }

    /** Entries a request of {@code mode} can take at most. */
    public static int maxEntries(int mode) {
        return mode == MODE_PAIRS ? MAX_PAIRS : MAX_AGGREGATE_ENTRIES;
    }
}
