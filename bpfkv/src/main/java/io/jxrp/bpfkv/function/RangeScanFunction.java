package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.Aggregate;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.FANOUT;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MODE_AGGREGATE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MODE_PAIRS;
import static io.jxrp.bpfkv.format.ScratchDescriptor.PAIR_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.PAIR_VALUE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.PAIR_VALUE_OFFSET;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_ASSIGNED;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_CAPACITY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_COUNT;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_ERROR;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_ERROR_OFFSET;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_FILLED;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_FILL_FROM;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_FIRST;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_HI;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_LAST;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_LO;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_MAX;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_MIN;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_MODE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_MORE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_PREV_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_RESUME_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_RESUME_LEAF;
import static io.jxrp.bpfkv.format.ScratchDescriptor.RANGE_SUM;
import static io.jxrp.bpfkv.format.ScratchDescriptor.U32;
import static io.jxrp.bpfkv.format.ScratchDescriptor.U64;

import io.jxrp.engine.ScratchReader;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpContext;
import io.jxrp.engine.XrpRequest;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Range scan over {@code [first, last]} (inclusive, the caller has applied the flags), in pairs
 * mode (the pairs come back in key order) or aggregate mode (count, sum, min, max of the values
 * parsed as decimal text; only the result comes back). Scratch layout in {@link ScratchDescriptor}.
 *
 * <p>Hops: descend by {@code first} on slot 0; at each leaf take the keys in range as entries,
 * read their value blocks in parallel on slots 1..15 and the next leaf on slot 0 at the same time.
 * Entries keep their order whatever order the blocks complete in. When the entries run out
 * (49 pairs or 496 aggregate entries per request) the request stops with {@code more} set and the
 * caller resumes from {@code resume_key} in {@code resume_leaf} with a new request.
 */
public final class RangeScanFunction extends TreeFunction {
    /** Value-block reads one leaf may start at once (slot 0 is the next leaf). */
    static final int MAX_VALUE_SLOTS = 15;

    public RangeScanFunction(TreeLayout layout, long fileSizeBytes) {
        super(layout, fileSizeBytes);
    }

    @Override
    public int apply(XrpContext ctx) {
        MemorySegment data = ctx.data();
        MemorySegment scratch = ctx.scratch();
        long current = ctx.curAddr();
        if (current >= valueLogOffset) {
            return valueBlock(data, scratch, current);
        }
        int level = levelOf(current);
        if (level < 0 || data.byteSize() < BLOCK_SIZE) {
            return fail(scratch, E_UNEXPECTED_BLOCK, current);
        }
        long type = NodeDescriptor.type(data, 0);
        long lo = scratch.get(U64, RANGE_LO);
        long hi = scratch.get(U64, RANGE_HI);
        if (level < lastLevel) {
            if (type != NodeDescriptor.TYPE_INTERNAL) {
                return fail(scratch, E_NODE_TYPE, current);
            }
            int keys = keysCode(data, lo, hi, true);
            if (keys != 0) {
                return fail(scratch, keys, current);
            }
            long first = scratch.get(U64, RANGE_FIRST);
            int child = NodeDescriptor.childIndex(data, 0, first);
            long pointer = NodeDescriptor.ptr(data, 0, child);
            if (!childPointerOk(pointer, level)) {
                return fail(scratch, E_CHILD_POINTER, current);
            }
            scratch.set(U64, RANGE_LO, NodeDescriptor.childLowerBound(data, 0, child, lo));
            scratch.set(U64, RANGE_HI, NodeDescriptor.childUpperBound(data, 0, child, hi));
            ctx.setNext(0, NodeDescriptor.decode(pointer), BLOCK_SIZE);
            return 0;
        }
        if (type != NodeDescriptor.TYPE_LEAF) {
            return fail(scratch, E_NODE_TYPE, current);
        }
        int keys = keysCode(data, lo, hi, false);
        if (keys != 0) {
            return fail(scratch, keys, current);
        }
        return leaf(ctx, data, scratch, current);
    }

    private int leaf(XrpContext ctx, MemorySegment data, MemorySegment scratch, long leafOffset) {
        long next = NodeDescriptor.next(data, 0);
        if (!nextLeafOk(next, leafOffset)) {
            return fail(scratch, E_NEXT_POINTER, leafOffset);
        }
        int mode = scratch.get(U32, RANGE_MODE);
        int capacity = scratch.get(U32, RANGE_CAPACITY);
        long first = scratch.get(U64, RANGE_FIRST);
        long last = scratch.get(U64, RANGE_LAST);
        int assigned = scratch.get(U32, RANGE_ASSIGNED);
        long previousPlusOne = scratch.get(U64, RANGE_PREV_KEY);
        int blocks = 0;
        long lastBlock = -1;
        boolean stopped = false;
        for (int k = 0; k < FANOUT; k++) {
            long key = NodeDescriptor.key(data, 0, k);
            if (key == NodeDescriptor.EMPTY_KEY) {
                break; // the leaf's used keys end here (checked above: only empty slots follow)
            }
            if (previousPlusOne != 0 && Long.compareUnsigned(key, previousPlusOne) < 0) {
                return fail(scratch, E_KEY_ORDER, leafOffset);
            }
            previousPlusOne = key + 1;
            if (Long.compareUnsigned(key, first) < 0) {
                continue;
            }
            if (Long.compareUnsigned(key, last) > 0) {
                stopped = true; // the range ends in this leaf
                break;
            }
            long pointer = NodeDescriptor.ptr(data, 0, k);
            if (!valuePointerOk(pointer, key)) {
                return fail(scratch, E_VALUE_POINTER, leafOffset);
            }
            long valueOffset = NodeDescriptor.decode(pointer);
            long block = NodeDescriptor.blockOf(valueOffset);
            boolean newBlock = block != lastBlock;
            if (assigned == capacity || (newBlock && blocks == MAX_VALUE_SLOTS)) {
                scratch.set(U32, RANGE_MORE, 1);
                scratch.set(U64, RANGE_RESUME_KEY, key);
                scratch.set(U64, RANGE_RESUME_LEAF, leafOffset);
                stopped = true;
                break;
            }
            if (newBlock) {
                blocks++;
                ctx.setNext(blocks, block, BLOCK_SIZE);
                lastBlock = block;
            }
            if (mode == MODE_PAIRS) {
                int entry = ScratchDescriptor.pairOffset(assigned);
                scratch.set(U64, entry + PAIR_KEY, key);
                scratch.set(U64, entry + PAIR_VALUE_OFFSET, valueOffset);
            } else {
                scratch.set(U64, ScratchDescriptor.aggregateEntryOffset(assigned), valueOffset);
            }
            assigned++;
        }
        scratch.set(U32, RANGE_ASSIGNED, assigned);
        scratch.set(U64, RANGE_PREV_KEY, previousPlusOne);
        if (!stopped && next != 0) {
            // the next leaf is reached through the list, not from a parent: no separators bound it
            scratch.set(U64, RANGE_LO, 0);
            scratch.set(U64, RANGE_HI, 0);
            ctx.setNext(0, next, BLOCK_SIZE);
        }
        return 0;
    }

    /** A value block: fill (or fold in) every pending entry whose value lies in it. */
    private int valueBlock(MemorySegment data, MemorySegment scratch, long blockOffset) {
        if ((blockOffset & (BLOCK_SIZE - 1)) != 0 || data.byteSize() < BLOCK_SIZE) {
            return fail(scratch, E_UNEXPECTED_BLOCK, blockOffset);
        }
        int mode = scratch.get(U32, RANGE_MODE);
        int assigned = scratch.get(U32, RANGE_ASSIGNED);
        int fillFrom = scratch.get(U32, RANGE_FILL_FROM);
        int filled = scratch.get(U32, RANGE_FILLED);
        for (int i = fillFrom; i < assigned; i++) {
            int entry = mode == MODE_PAIRS ? ScratchDescriptor.pairOffset(i) + PAIR_VALUE_OFFSET
                    : ScratchDescriptor.aggregateEntryOffset(i);
            long valueOffset = scratch.get(U64, entry);
            if (valueOffset == 0 || NodeDescriptor.blockOf(valueOffset) != blockOffset) {
                continue;
            }
            long delta = valueOffset - blockOffset;
            if (mode == MODE_PAIRS) {
                MemorySegment.copy(data, delta, scratch, ScratchDescriptor.pairOffset(i) + PAIR_VALUE, VALUE_SIZE);
            } else {
                long value = NodeDescriptor.parseValue(data, delta);
                if (value < 0) {
                    return fail(scratch, E_VALUE_TEXT, valueOffset);
                }
                long count = scratch.get(U64, RANGE_COUNT);
                long sum = scratch.get(U64, RANGE_SUM);
                if (sum > Long.MAX_VALUE - value) {
                    return fail(scratch, E_VALUE_TEXT, valueOffset); // the pread path reports the overflow
                }
                scratch.set(U64, RANGE_SUM, sum + value);
                scratch.set(U64, RANGE_MIN, count == 0 ? value : Math.min(value, scratch.get(U64, RANGE_MIN)));
                scratch.set(U64, RANGE_MAX, count == 0 ? value : Math.max(value, scratch.get(U64, RANGE_MAX)));
                scratch.set(U64, RANGE_COUNT, count + 1);
            }
            scratch.set(U64, entry, 0);
            filled++;
        }
        scratch.set(U32, RANGE_FILLED, filled);
        while (fillFrom < assigned && scratch.get(U64, mode == MODE_PAIRS
                ? ScratchDescriptor.pairOffset(fillFrom) + PAIR_VALUE_OFFSET
                : ScratchDescriptor.aggregateEntryOffset(fillFrom)) == 0) {
            fillFrom++;
        }
        scratch.set(U32, RANGE_FILL_FROM, fillFrom);
        return 0;
    }

    private static int fail(MemorySegment scratch, int code, long offset) {
        scratch.set(U32, RANGE_ERROR, code);
        scratch.set(U64, RANGE_ERROR_OFFSET, offset);
        return code;
    }

    /**
     * What one request of a scan returned: its pairs (pairs mode) or partial aggregate, and where
     * to resume. {@code consistent} is false when some entry never got its value (the caller then
     * takes the slow path).
     */
    public record Chunk(List<KeyValue> pairs, Aggregate aggregate, boolean more, long resumeKey, long resumeLeaf,
                        boolean consistent) {
    }

    static final ScratchReader<Chunk> READER = scratch -> {
        int mode = scratch.get(U32, RANGE_MODE);
        int assigned = scratch.get(U32, RANGE_ASSIGNED);
        int filled = scratch.get(U32, RANGE_FILLED);
        boolean more = scratch.get(U32, RANGE_MORE) != 0;
        boolean consistent = assigned == filled && assigned <= ScratchDescriptor.maxEntries(mode)
                && (!more || assigned > 0);
        List<KeyValue> pairs = List.of();
        Aggregate aggregate = Aggregate.EMPTY;
        if (consistent && mode == MODE_PAIRS) {
            pairs = new ArrayList<>(assigned);
            for (int i = 0; i < assigned; i++) {
                int entry = ScratchDescriptor.pairOffset(i);
                pairs.add(new KeyValue(scratch.get(U64, entry + PAIR_KEY),
                        NodeDescriptor.valueOf(scratch, entry + PAIR_VALUE)));
            }
        } else if (consistent && scratch.get(U64, RANGE_COUNT) > 0) {
            aggregate = new Aggregate(scratch.get(U64, RANGE_COUNT), scratch.get(U64, RANGE_SUM),
                    scratch.get(U64, RANGE_MIN), scratch.get(U64, RANGE_MAX));
        }
        return new Chunk(pairs, aggregate, more, scratch.get(U64, RANGE_RESUME_KEY), scratch.get(U64, RANGE_RESUME_LEAF),
                consistent);
    };

    /**
     * One request of a scan over {@code [first, last]} starting with the node at {@code start}
     * (the root, the first uncached node, or the leaf to resume in).
     *
     * @param aggregate aggregate mode instead of pairs
     * @param capacity  entries the request may take (at most {@link ScratchDescriptor#maxEntries}); 0 = all
     */
    public XrpRequest<Chunk> request(boolean aggregate, long first, long last, long start, int capacity) {
        return request(this, aggregate, first, last, start, capacity);
    }

    /** As {@link #request(boolean, long, long, long, int)}, run by {@code function} (same scratch layout). */
    public XrpRequest<Chunk> request(StorageFunction function, boolean aggregate, long first, long last, long start,
                                     int capacity) {
        return request(function, aggregate, first, last, start, capacity, 0, 0);
    }

    /**
     * As {@link #request(StorageFunction, boolean, long, long, long, int)}, the first node's keys
     * bounded by {@code [lo, hi)} ({@code hi} 0: none): the separators of the cached parent that led to it.
     */
    public XrpRequest<Chunk> request(StorageFunction function, boolean aggregate, long first, long last, long start,
                                     int capacity, long lo, long hi) {
        int mode = aggregate ? MODE_AGGREGATE : MODE_PAIRS;
        int max = ScratchDescriptor.maxEntries(mode);
        int entries = capacity <= 0 ? max : Math.min(capacity, max);
        // descent, then per entry at most one value block, plus every leaf passed
        int budget = layout.layers() + 2 * entries + 4;
        return new XrpRequest<>(function, new long[] {start}, new int[] {BLOCK_SIZE}, scratch -> {
            ScratchDescriptor.writeParams(scratch, layout, fileSizeBytes);
            scratch.set(U32, RANGE_MODE, mode);
            scratch.set(U32, RANGE_CAPACITY, entries);
            scratch.set(U64, RANGE_FIRST, first);
            scratch.set(U64, RANGE_LAST, last);
            scratch.set(U64, RANGE_LO, lo);
            scratch.set(U64, RANGE_HI, hi);
        }, READER, budget);
    }
}
