package io.jxrp.bpfkv.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of a BPF-KV file (the original's {@code main} branch): 512-byte blocks, little-endian
 * 64-bit words, no header. Index nodes first (root at offset 0, then every level breadth-first,
 * node {@code n} at {@code n * 512}), then the value log.
 *
 * <pre>
 * Index node, 512 B = 64 words
 *   0        8        16                                   264                                  512
 *   +--------+--------+------------------------------------+------------------------------------+
 *   | next   | type   | key[0] key[1] ...        key[30]   | ptr[0] ptr[1] ...        ptr[30]   |
 *   +--------+--------+------------------------------------+------------------------------------+
 *   next : byte offset of the next node on the same level, a plain offset (bit 63 clear);
 *          0 for the last node of a level. Leaves form a list for range scans.
 *   type : 0 internal, 1 leaf
 *   key  : internal: key[k] is the first key of child k; leaf: the 31 keys it holds, ascending
 *          (unsigned). Used slots come first, strictly ascending; unused slots (the last node of a
 *          level may have some) hold EMPTY_KEY, 2^64 - 1, which no key may be: larger than every key,
 *          so the original's child choice (first key[k] > search key) and leaf scan (key[k] == search
 *          key) never take one; their pointers are 0. Every key of a child k lies in [key[k],
 *          key[k+1]) of its parent (child 0 from the parent's own lower bound, the last used child up
 *          to the parent's own upper bound).
 *   ptr  : byte offset | bit 63 ("this is a file offset")
 *          internal: the child node (512-aligned, in the next level);
 *          leaf: the value's offset T*512 + K*64 (not block-aligned)
 *
 * Value log block, 512 B = 8 values of 64 B; block b holds the keys of rank 8b .. 8b+7
 *   0                                                              63 64
 *   +--------------------------------------------------------------+--+---- ... 7 more
 *   | create: decimal text of K, right-aligned with spaces in 63 chars|\0|
 *   +--------------------------------------------------------------+--+----
 *   A value is up to 64 bytes, NUL-padded to the slot: its length is the slot without its trailing
 *   NULs (so a value cannot end in a NUL byte; create's values are the 63 characters). The last
 *   block is written whole; create fills its spare slots with the values of keys 31^L ..., which
 *   no leaf points to, the loader with zeros.
 * </pre>
 *
 * Everything that reads or writes this format goes through this class; {@link TreeLayout} owns
 * the arithmetic of where levels and the value log start.
 */
public final class NodeDescriptor {
    /** Size of an index node and of a value-log block. */
    public static final int BLOCK_SIZE = 512;
    public static final int BLOCK_SHIFT = 9;
    /** Keys (and pointers) per node. */
    public static final int FANOUT = 31;

    public static final int NEXT_OFFSET = 0;
    public static final int TYPE_OFFSET = 8;
    public static final int KEYS_OFFSET = 16;
    public static final int PTRS_OFFSET = KEYS_OFFSET + FANOUT * Long.BYTES; // 264

    public static final long TYPE_INTERNAL = 0;
    public static final long TYPE_LEAF = 1;

    /**
     * The key of an unused slot, 2^64 - 1: larger than every key (keys compare unsigned), so a
     * search stops before it. It is the one u64 that cannot be a key.
     */
    public static final long EMPTY_KEY = -1L;

    /** Bit 63 of a pointer: "this is a file offset" (the original's encode/decode). */
    public static final long FILE_OFFSET_BIT = 1L << 63;

    public static final int VALUE_SIZE = 64;
    /** Characters of the decimal text; the 64th byte is a NUL. */
    public static final int VALUE_TEXT_LENGTH = VALUE_SIZE - 1;
    public static final int VALUES_PER_BLOCK = BLOCK_SIZE / VALUE_SIZE;

    /** Little-endian u64, unaligned so that a node inside any buffer can be read. */
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NodeDescriptor() {
    }

    public static long next(MemorySegment segment, long nodeBase) {
        return segment.get(U64, nodeBase + NEXT_OFFSET);
    }

    public static long type(MemorySegment segment, long nodeBase) {
        return segment.get(U64, nodeBase + TYPE_OFFSET);
    }

    public static long key(MemorySegment segment, long nodeBase, int index) {
        return segment.get(U64, nodeBase + KEYS_OFFSET + (long) index * Long.BYTES);
    }

    public static long ptr(MemorySegment segment, long nodeBase, int index) {
        return segment.get(U64, nodeBase + PTRS_OFFSET + (long) index * Long.BYTES);
    }

    public static long keyOffset(int index) {
        return KEYS_OFFSET + (long) index * Long.BYTES;
    }

    public static long ptrOffset(int index) {
        return PTRS_OFFSET + (long) index * Long.BYTES;
    }

    public static boolean isFileOffset(long pointer) {
        return (pointer & FILE_OFFSET_BIT) != 0;
    }

    public static long encode(long fileOffset) {
        return fileOffset | FILE_OFFSET_BIT;
    }

    public static long decode(long pointer) {
        return pointer & ~FILE_OFFSET_BIT;
    }

    /**
     * The original's child choice: the last {@code k} with {@code key[k] <= searchKey}
     * (scan k = 1..30, stop at the first key greater than the search key, take k-1). Keys compare
     * unsigned, as the original's {@code unsigned long}.
     */
    public static int childIndex(MemorySegment segment, long nodeBase, long searchKey) {
        for (int k = 1; k < FANOUT; k++) {
            if (Long.compareUnsigned(key(segment, nodeBase, k), searchKey) > 0) {
                return k - 1;
            }
        }
        return FANOUT - 1;
    }

    /** Used key slots of a node: those before the first {@link #EMPTY_KEY}. */
    public static int usedKeys(MemorySegment segment, long nodeBase) {
        int used = 0;
        while (used < FANOUT && key(segment, nodeBase, used) != EMPTY_KEY) {
            used++;
        }
        return used;
    }

    /** Index of {@code searchKey} in a leaf, or -1. */
    public static int leafIndexOf(MemorySegment segment, long nodeBase, long searchKey) {
        for (int k = 0; k < FANOUT; k++) {
            if (key(segment, nodeBase, k) == searchKey) {
                return k;
            }
        }
        return -1;
    }

    /** Byte offset of a value inside its 512 B value-log block. */
    public static int offsetInBlock(long valueOffset) {
        return (int) (valueOffset & (BLOCK_SIZE - 1));
    }

    /** The 512 B-aligned block that holds a byte offset. */
    public static long blockOf(long fileOffset) {
        return fileOffset & ~(long) (BLOCK_SIZE - 1);
    }

    // ---- checks: each returns null when fine, otherwise the problem in words -------------------

    /**
     * The first key slot of a node that breaks the key rules, or -1 when the keys are fine: used
     * slots first, strictly ascending (unsigned), each inside {@code [lo, hi)} (the bounds its
     * parent gives; {@code hi == 0}: no upper bound), then only {@link #EMPTY_KEY}; an internal node
     * uses at least one slot (else {@link #FANOUT}). Allocation-free: the storage functions run it on
     * every node they read, and {@code bpfkv.c}'s {@code check_keys} does exactly the same.
     */
    public static int firstBadKey(MemorySegment segment, long nodeBase, long lo, long hi, boolean internal) {
        long previous = 0;
        int used = 0;
        for (int k = 0; k < FANOUT; k++) {
            long key = key(segment, nodeBase, k);
            if (key == EMPTY_KEY) {
                continue;
            }
            if (used != k || (used > 0 && Long.compareUnsigned(key, previous) <= 0) || !withinBounds(key, lo, hi)) {
                return k;
            }
            previous = key;
            used++;
        }
        return internal && used == 0 ? FANOUT : -1;
    }

    /** Whether {@code key} lies in {@code [lo, hi)} (unsigned; {@code hi == 0}: no upper bound). */
    public static boolean withinBounds(long key, long lo, long hi) {
        return Long.compareUnsigned(key, lo) >= 0 && (hi == 0 || Long.compareUnsigned(key, hi) < 0);
    }

    /**
     * Whether the bad key {@link #firstBadKey} found is in order but outside its parent's bounds
     * (a separator problem) rather than out of order.
     */
    public static boolean isSeparatorProblem(MemorySegment segment, long nodeBase, int badKey, long lo, long hi) {
        if (badKey >= FANOUT) {
            return false;
        }
        long key = key(segment, nodeBase, badKey);
        boolean ordered = badKey == 0 || (key(segment, nodeBase, badKey - 1) != EMPTY_KEY
                && Long.compareUnsigned(key, key(segment, nodeBase, badKey - 1)) > 0);
        return ordered && !withinBounds(key, lo, hi);
    }

    /** The problem {@link #firstBadKey} found, in words (or null when it found none). */
    public static String describeBadKey(MemorySegment segment, long nodeBase, int badKey, long lo, long hi) {
        if (badKey < 0) {
            return null;
        }
        if (badKey >= FANOUT) {
            return "internal node has no keys (every slot holds the empty key 2^64-1)";
        }
        long key = key(segment, nodeBase, badKey);
        String text = "key[" + badKey + "] " + Long.toUnsignedString(key);
        if (badKey > 0 && key(segment, nodeBase, badKey - 1) == EMPTY_KEY) {
            return text + " follows an empty slot (used keys come first)";
        }
        if (badKey > 0 && Long.compareUnsigned(key, key(segment, nodeBase, badKey - 1)) <= 0) {
            return text + " does not ascend (key[" + (badKey - 1) + "] is "
                    + Long.toUnsignedString(key(segment, nodeBase, badKey - 1)) + ")";
        }
        return text + " is outside [" + Long.toUnsignedString(lo) + ", " + (hi == 0 ? "end" : Long.toUnsignedString(hi))
                + "), the range its parent's separators give";
    }

    /** Lower bound of child {@code k}'s keys: the parent's own lower bound for child 0, else key[k]. */
    public static long childLowerBound(MemorySegment segment, long nodeBase, int child, long lo) {
        return child == 0 ? lo : key(segment, nodeBase, child);
    }

    /** Upper bound (exclusive, 0 = none) of child {@code k}'s keys: key[k+1], or the parent's own for its last child. */
    public static long childUpperBound(MemorySegment segment, long nodeBase, int child, long hi) {
        if (child + 1 < FANOUT) {
            long next = key(segment, nodeBase, child + 1);
            if (next != EMPTY_KEY) {
                return next;
            }
        }
        return hi;
    }

    /**
     * Problem with a value pointer where the file's layout fixes each key's slot ({@code create}'s
     * files: key K's value is at {@code valueLog + K * 64}), or null.
     */
    public static String checkValueSlot(long pointer, long key, long valueLogStartBytes) {
        long offset = decode(pointer);
        long slot = valueLogStartBytes + key * VALUE_SIZE;
        if (offset != slot) {
            return "value pointer of key " + Long.toUnsignedString(key) + " points to offset " + offset
                    + ", not to the key's own slot at offset " + slot;
        }
        return null;
    }

    /** Problem with a node's type word, or null. */
    public static String checkType(long type, boolean expectLeaf) {
        if (type != TYPE_INTERNAL && type != TYPE_LEAF) {
            return "node type " + Long.toUnsignedString(type) + " is neither 0 (internal) nor 1 (leaf)";
        }
        if (expectLeaf && type != TYPE_LEAF) {
            return "expected a leaf (type 1) at the bottom level, found an internal node";
        }
        if (!expectLeaf && type != TYPE_INTERNAL) {
            return "expected an internal node (type 0) above the bottom level, found a leaf";
        }
        return null;
    }

    /**
     * Problem with an internal node's child pointer, or null: bit 63 must be set and the offset
     * must be a 512-aligned node of the level below ({@code [levelStart, levelEnd)} in bytes).
     * Requiring the next level rules out cycles and wrong depths by construction.
     */
    public static String checkChildPointer(long pointer, long levelStartBytes, long levelEndBytes) {
        if (!isFileOffset(pointer)) {
            return "child pointer 0x" + Long.toHexString(pointer) + " lacks bit 63 (not a file offset)";
        }
        long offset = decode(pointer);
        if ((offset & (BLOCK_SIZE - 1)) != 0) {
            return "child pointer to offset " + offset + " is not 512-aligned";
        }
        if (offset < levelStartBytes || offset >= levelEndBytes) {
            return "child pointer to offset " + offset + " is outside the next level [" + levelStartBytes + ", "
                    + levelEndBytes + ") (corrupt node, cycle or wrong layer count)";
        }
        return null;
    }

    /**
     * Problem with a leaf's value pointer, or null: bit 63 set, inside the value log
     * ({@code [valueLogStart, fileSize - 64]}) and on a 64-byte value boundary.
     */
    public static String checkValuePointer(long pointer, long valueLogStartBytes, long fileSizeBytes) {
        if (!isFileOffset(pointer)) {
            return "value pointer 0x" + Long.toHexString(pointer) + " lacks bit 63 (not a file offset)";
        }
        long offset = decode(pointer);
        if (offset < valueLogStartBytes || offset > fileSizeBytes - VALUE_SIZE) {
            return "value pointer to offset " + offset + " is outside the value log [" + valueLogStartBytes + ", "
                    + fileSizeBytes + ")";
        }
        if (((offset - valueLogStartBytes) & (VALUE_SIZE - 1)) != 0) {
            return "value pointer to offset " + offset + " is not on a 64-byte value boundary";
        }
        return null;
    }

    /**
     * Problem with a leaf's {@code next} word, or null: 0 ends the list; otherwise a plain,
     * 512-aligned offset of a later leaf (strictly after {@code currentOffset}, so a scan always ends).
     */
    public static String checkNextLeaf(long next, long currentOffset, long leavesStartBytes, long leavesEndBytes) {
        if (next == 0) {
            return null;
        }
        if ((next & (BLOCK_SIZE - 1)) != 0) {
            return "next pointer 0x" + Long.toHexString(next) + " is not a 512-aligned offset";
        }
        if (next <= currentOffset || next < leavesStartBytes || next >= leavesEndBytes) {
            return "next pointer to offset " + next + " is not a later leaf in [" + leavesStartBytes + ", "
                    + leavesEndBytes + ") (corrupt node or cycle)";
        }
        return null;
    }

    // ---- values ---------------------------------------------------------------------------------

    /**
     * Writes the value of {@code key} (decimal, right-aligned with spaces in 63 characters, NUL) at
     * {@code offset} of a heap array. Keys are non-negative here (at most 31^10).
     */
    public static void formatValue(long key, byte[] target, int offset) {
        int end = offset + VALUE_TEXT_LENGTH;
        target[end] = 0;
        int position = end;
        long remaining = key;
        do {
            target[--position] = (byte) ('0' + (int) (remaining % 10));
            remaining /= 10;
        } while (remaining != 0);
        while (position > offset) {
            target[--position] = ' ';
        }
    }

    /** Length of the value in a 64-byte slot: the slot without its trailing NUL bytes. */
    public static int valueLength(MemorySegment segment, long offset) {
        int length = VALUE_SIZE;
        while (length > 0 && segment.get(ValueLayout.JAVA_BYTE, offset + length - 1) == 0) {
            length--;
        }
        return length;
    }

    /** The value stored in the 64-byte slot at {@code offset}: its bytes without the trailing NULs. */
    public static byte[] valueOf(MemorySegment segment, long offset) {
        return segment.asSlice(offset, valueLength(segment, offset)).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Problem with a value to store, or null: at most 64 bytes (the slot), not ending in a NUL byte
     * (trailing NULs are the slot's padding).
     */
    public static String checkValue(byte[] value) {
        if (value.length > VALUE_SIZE) {
            return "value of " + value.length + " bytes is longer than the " + VALUE_SIZE + "-byte value slot";
        }
        if (value.length > 0 && value[value.length - 1] == 0) {
            return "value ends in a NUL byte (trailing NULs are the slot's padding and would be cut off)";
        }
        return null;
    }

    /** Problem with a key to store or look up, or null: any u64 but {@link #EMPTY_KEY}. */
    public static String checkKey(long key) {
        return key == EMPTY_KEY ? "key " + Long.toUnsignedString(key) + " (2^64 - 1) is reserved: it marks unused "
                + "slots of a node, so no key can be it" : null;
    }

    /**
     * Parses a value's decimal text (leading spaces, digits, then NUL or the end of the 64 bytes);
     * returns -1 when the text is not a non-negative decimal number that fits a long.
     */
    public static long parseValue(MemorySegment segment, long offset) {
        int limit = (int) Math.min(VALUE_SIZE, segment.byteSize() - offset); // a stored value may be shorter than the slot
        int position = 0;
        while (position < limit && segment.get(ValueLayout.JAVA_BYTE, offset + position) == ' ') {
            position++;
        }
        long value = 0;
        int digits = 0;
        for (; position < limit; position++) {
            byte b = segment.get(ValueLayout.JAVA_BYTE, offset + position);
            if (b == 0) {
                break;
            }
            if (b < '0' || b > '9' || value > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            value = value * 10 + (b - '0');
            digits++;
        }
        return digits == 0 ? -1 : value;
    }
}
