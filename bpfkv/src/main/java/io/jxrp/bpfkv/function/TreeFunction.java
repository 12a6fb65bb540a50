package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.ops.PreadTraversal;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;

import io.jxrp.engine.StorageFunction;
import java.lang.foreign.MemorySegment;

/**
 * What every BPF-KV storage function knows about its file: where each level and the value log
 * start, and the allocation-free checks a hop runs on a node before following it. A check that
 * fails ends the request with a function error; the caller falls back to {@link PreadTraversal},
 * which reports the problem with its offset.
 */
abstract sealed class TreeFunction implements StorageFunction permits GetFunction, MultiGetFunction, RangeScanFunction {
    /** Function error codes (the request's outcome is FUNCTION_ERROR with this code as its detail). */
    static final int E_NODE_TYPE = 1;
    static final int E_CHILD_POINTER = 2;
    static final int E_VALUE_POINTER = 3;
    static final int E_NEXT_POINTER = 4;
    static final int E_KEY_ORDER = 5;
    static final int E_UNEXPECTED_BLOCK = 6;
    static final int E_VALUE_TEXT = 7;
    static final int E_STATE = 8;
    /** A node's key lies outside the range its parent's separators give it. */
    static final int E_SEPARATOR = 9;

    final TreeLayout layout;
    final int lastLevel;
    final long valueLogOffset;
    final long fileSizeBytes;
    /** The layout fixes each key's value slot: a leaf's pointer must be exactly value_log + K * 64. */
    final boolean fixedSlots;
    /** levelStart[l] .. levelStart[l+1]: byte range of level l; levelStart[L] is the value log. */
    private final long[] levelStart;

    TreeFunction(TreeLayout layout, long fileSizeBytes) {
        this.layout = layout;
        this.lastLevel = layout.layers() - 1;
        this.valueLogOffset = layout.valueLogOffset();
        this.fileSizeBytes = fileSizeBytes;
        this.fixedSlots = layout.fixesValueSlots();
        this.levelStart = new long[layout.layers() + 1];
        for (int l = 0; l <= layout.layers(); l++) {
            levelStart[l] = layout.firstNodeOfLevel(l) * BLOCK_SIZE;
        }
    }

    /** Level of the node at {@code offset}, or -1 when the offset is not in the index. */
    final int levelOf(long offset) {
        if (offset < 0 || offset >= valueLogOffset) {
            return -1;
        }
        int level = 0;
        while (offset >= levelStart[level + 1]) {
            level++;
        }
        return level;
    }

    /** A child pointer of a node on {@code level}: bit 63, 512-aligned, inside level + 1. */
    final boolean childPointerOk(long pointer, int level) {
        long offset = NodeDescriptor.decode(pointer);
        return NodeDescriptor.isFileOffset(pointer) && (offset & (BLOCK_SIZE - 1)) == 0
                && offset >= levelStart[level + 1] && offset < levelStart[level + 2];
    }

    /** A leaf's value pointer: bit 63, inside the value log, on a 64-byte value boundary. */
    final boolean valuePointerOk(long pointer) {
        long offset = NodeDescriptor.decode(pointer);
        return NodeDescriptor.isFileOffset(pointer) && offset >= valueLogOffset && offset <= fileSizeBytes - VALUE_SIZE
                && ((offset - valueLogOffset) & (VALUE_SIZE - 1)) == 0;
    }

    /**
     * A node's keys ({@link NodeDescriptor#firstBadKey}): 0 when fine, else {@link #E_KEY_ORDER} or
     * {@link #E_SEPARATOR} (in order, but outside the bounds {@code [lo, hi)} its parent gives).
     */
    static int keysCode(MemorySegment node, long lo, long hi, boolean internal) {
        int bad = NodeDescriptor.firstBadKey(node, 0, lo, hi, internal);
        if (bad < 0) {
            return 0;
        }
        return NodeDescriptor.isSeparatorProblem(node, 0, bad, lo, hi) ? E_SEPARATOR : E_KEY_ORDER;
    }

    /**
     * A point lookup's checks and search on a node, as {@code bpfkv.c}'s {@code scan_node} does them:
     * {@code -E_KEY_ORDER} or {@code -E_SEPARATOR} for a bad node (the code {@link #keysCode} gives);
     * otherwise an internal node gives {@link NodeDescriptor#childIndex} and a leaf
     * {@link NodeDescriptor#leafIndexOf}, {@link NodeDescriptor#FANOUT} when the key is absent. The
     * same answers with less work per key: the used keys are checked in one run that stops at the
     * first empty slot (only the first key can fall below {@code lo}; ascending keys above it cannot),
     * the rest must be empty, and the search stops at the first used key not below the key, since a
     * good node's used keys come first and ascend; only a search for the empty key meets an empty
     * slot (its first one).
     */
    static int scanNode(MemorySegment node, long lo, long hi, long key, boolean internal) {
        long bound = hi == 0 ? NodeDescriptor.EMPTY_KEY : hi; // no used key is the empty key: "no bound"
        long previous = NodeDescriptor.key(node, 0, 0);
        int used = 0;
        if (previous != NodeDescriptor.EMPTY_KEY) {
            if (Long.compareUnsigned(previous, lo) < 0 || Long.compareUnsigned(previous, bound) >= 0) {
                return -E_SEPARATOR;
            }
            for (used = 1; used < NodeDescriptor.FANOUT; used++) {
                long k = NodeDescriptor.key(node, 0, used);
                if (k == NodeDescriptor.EMPTY_KEY) {
                    break;
                }
                if (Long.compareUnsigned(k, previous) <= 0) {
                    return -E_KEY_ORDER;
                }
                if (Long.compareUnsigned(k, bound) >= 0) { // k > previous >= lo: only the upper bound can fail
                    return -E_SEPARATOR;
                }
                previous = k;
            }
        }
        for (int k = used; k < NodeDescriptor.FANOUT; k++) {
            if (NodeDescriptor.key(node, 0, k) != NodeDescriptor.EMPTY_KEY) {
                return -E_KEY_ORDER; // a used key after an empty slot
            }
        }
        if (internal && used == 0) {
            return -E_KEY_ORDER;
        }
        if (key == NodeDescriptor.EMPTY_KEY && used < NodeDescriptor.FANOUT) {
            return internal ? NodeDescriptor.FANOUT - 1 : used;
        }
        for (int k = internal ? 1 : 0; k < used; k++) {
            long at = NodeDescriptor.key(node, 0, k);
            if (Long.compareUnsigned(at, key) >= 0) {
                if (internal) {
                    return at != key ? k - 1 : k;
                }
                return at == key ? k : NodeDescriptor.FANOUT;
            }
        }
        return internal ? used - 1 : NodeDescriptor.FANOUT;
    }

    /** A leaf's value pointer for {@code key}: {@link #valuePointerOk} and, where the layout fixes it, the key's own slot. */
    final boolean valuePointerOk(long pointer, long key) {
        return valuePointerOk(pointer) && (!fixedSlots || NodeDescriptor.decode(pointer) == valueLogOffset + key * VALUE_SIZE);
    }

    /** A leaf's next word: 0, or a later leaf. */
    final boolean nextLeafOk(long next, long currentOffset) {
        return next == 0 || ((next & (BLOCK_SIZE - 1)) == 0 && next > currentOffset
                && next >= levelStart[lastLevel] && next < levelStart[lastLevel + 1]);
    }

    /** Offset of the first byte of level {@code level}. */
    final long levelStartBytes(int level) {
        return levelStart[level];
    }
}
