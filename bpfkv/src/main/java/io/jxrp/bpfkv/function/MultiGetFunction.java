package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_COUNT;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_ERROR;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_ERROR_OFFSET;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_MAX_BRANCHES;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_MAX_KEYS;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_NEXT_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_RESOLVED;
import static io.jxrp.bpfkv.format.ScratchDescriptor.MULTI_SLOT_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.STATUS_FOUND;
import static io.jxrp.bpfkv.format.ScratchDescriptor.STATUS_NOT_FOUND;
import static io.jxrp.bpfkv.format.ScratchDescriptor.STATUS_PENDING;
import static io.jxrp.bpfkv.format.ScratchDescriptor.U32;
import static io.jxrp.bpfkv.format.ScratchDescriptor.U64;

import io.jxrp.engine.ScratchReader;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpContext;
import io.jxrp.engine.XrpRequest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Scatter-gather lookup: up to 32 keys in one request, up to 16 of them descending in parallel
 * (one next-read slot per branch). When a branch resolves its key it starts the next queued key in
 * the same slot. Scratch layout in {@link ScratchDescriptor} (scatter-gather lookup).
 */
public final class MultiGetFunction extends TreeFunction {
    public MultiGetFunction(TreeLayout layout, long fileSizeBytes) {
        super(layout, fileSizeBytes);
    }

    @Override
    public int apply(XrpContext ctx) {
        MemorySegment data = ctx.data();
        MemorySegment scratch = ctx.scratch();
        long current = ctx.curAddr();
        int slot = ctx.slot();
        if (slot < 0 || slot >= MULTI_MAX_BRANCHES) {
            return fail(scratch, E_STATE, current);
        }
        int keyIndex = scratch.get(ValueLayout.JAVA_BYTE, MULTI_SLOT_KEY + slot);
        int count = scratch.get(U32, MULTI_COUNT);
        if (keyIndex < 0 || keyIndex >= count
                || scratch.get(ValueLayout.JAVA_BYTE, ScratchDescriptor.multiStatusOffset(keyIndex)) != STATUS_PENDING) {
            return fail(scratch, E_STATE, current);
        }
        if (current >= valueLogOffset) {
            long valueOffset = scratch.get(U64, ScratchDescriptor.multiValueOffsetOffset(keyIndex));
            long delta = valueOffset - current;
            if (valueOffset == 0 || delta < 0 || delta > data.byteSize() - VALUE_SIZE) {
                return fail(scratch, E_UNEXPECTED_BLOCK, current);
            }
            MemorySegment.copy(data, delta, scratch, ScratchDescriptor.multiValueOffset(keyIndex), VALUE_SIZE);
            return resolve(ctx, scratch, slot, keyIndex, STATUS_FOUND);
        }
        int level = levelOf(current);
        if (level < 0 || data.byteSize() < BLOCK_SIZE) {
            return fail(scratch, E_UNEXPECTED_BLOCK, current);
        }
        long key = scratch.get(U64, ScratchDescriptor.multiKeyOffset(keyIndex));
        long type = NodeDescriptor.type(data, 0);
        long lo = scratch.get(U64, ScratchDescriptor.multiLoOffset(keyIndex));
        long hi = scratch.get(U64, ScratchDescriptor.multiHiOffset(keyIndex));
        if (level < lastLevel) {
            if (type != NodeDescriptor.TYPE_INTERNAL) {
                return fail(scratch, E_NODE_TYPE, current);
            }
            int child = scanNode(data, lo, hi, key, true);
            if (child < 0) {
                return fail(scratch, -child, current);
            }
            long pointer = NodeDescriptor.ptr(data, 0, child);
            if (!childPointerOk(pointer, level)) {
                return fail(scratch, E_CHILD_POINTER, current);
            }
            scratch.set(U64, ScratchDescriptor.multiLoOffset(keyIndex), NodeDescriptor.childLowerBound(data, 0, child, lo));
            scratch.set(U64, ScratchDescriptor.multiHiOffset(keyIndex), NodeDescriptor.childUpperBound(data, 0, child, hi));
            ctx.setNext(slot, NodeDescriptor.decode(pointer), BLOCK_SIZE);
            return 0;
        }
        if (type != NodeDescriptor.TYPE_LEAF) {
            return fail(scratch, E_NODE_TYPE, current);
        }
        int index = scanNode(data, lo, hi, key, false);
        if (index < 0) {
            return fail(scratch, -index, current);
        }
        if (index == NodeDescriptor.FANOUT) {
            return resolve(ctx, scratch, slot, keyIndex, STATUS_NOT_FOUND);
        }
        long pointer = NodeDescriptor.ptr(data, 0, index);
        if (!valuePointerOk(pointer, key)) {
            return fail(scratch, E_VALUE_POINTER, current);
        }
        long valueOffset = NodeDescriptor.decode(pointer);
        scratch.set(U64, ScratchDescriptor.multiValueOffsetOffset(keyIndex), valueOffset);
        ctx.setNext(slot, NodeDescriptor.blockOf(valueOffset), BLOCK_SIZE);
        return 0;
    }

    /** Records a key's result and starts the next queued key on the same branch. */
    private static int resolve(XrpContext ctx, MemorySegment scratch, int slot, int keyIndex, int status) {
        scratch.set(ValueLayout.JAVA_BYTE, ScratchDescriptor.multiStatusOffset(keyIndex), (byte) status);
        int resolved = scratch.get(U32, MULTI_RESOLVED) + 1;
        scratch.set(U32, MULTI_RESOLVED, resolved);
        int count = scratch.get(U32, MULTI_COUNT);
        int next = scratch.get(U32, MULTI_NEXT_KEY);
        while (next < count && scratch.get(ValueLayout.JAVA_BYTE, ScratchDescriptor.multiStatusOffset(next)) != STATUS_PENDING) {
            next++;
        }
        if (next < count) {
            scratch.set(ValueLayout.JAVA_BYTE, MULTI_SLOT_KEY + slot, (byte) next);
            scratch.set(U32, MULTI_NEXT_KEY, next + 1);
            ctx.setNext(slot, scratch.get(U64, ScratchDescriptor.multiStartOffset(next)), BLOCK_SIZE);
        } else {
            scratch.set(U32, MULTI_NEXT_KEY, next);
            if (resolved == count) {
                ctx.setDone();
            }
        }
        return 0;
    }

    private static int fail(MemorySegment scratch, int code, long offset) {
        scratch.set(U32, MULTI_ERROR, code);
        scratch.set(U64, MULTI_ERROR_OFFSET, offset);
        return code;
    }

    /**
     * The request for up to 32 keys. {@code starts[i]} is key i's first read: a node offset (the
     * root or its first uncached node), a value offset (whole index cached), or -1 when the cache
     * already shows the key is absent. Returns null when no key needs a read.
     */
    public XrpRequest<List<Optional<byte[]>>> request(long[] keys, long[] starts) {
        return request(this, keys, starts);
    }

    /** As {@link #request(long[], long[])}, run by {@code function} (same scratch layout, e.g. an eBPF program). */
    public XrpRequest<List<Optional<byte[]>>> request(StorageFunction function, long[] keys, long[] starts) {
        return request(function, keys, starts, null, null);
    }

    /**
     * As {@link #request(StorageFunction, long[], long[])}, key i's first node bounded by
     * {@code [los[i], his[i])} ({@code his[i]} 0: none), the separators of the cached parent that
     * led to it; null arrays: no bounds.
     */
    public XrpRequest<List<Optional<byte[]>>> request(StorageFunction function, long[] keys, long[] starts, long[] los,
                                                      long[] his) {
        int count = keys.length;
        if (count == 0 || count > MULTI_MAX_KEYS || starts.length != count
                || (los != null && (los.length != count || his == null || his.length != count))) {
            throw new IllegalArgumentException("1.." + MULTI_MAX_KEYS + " keys with as many starts (and bounds), got "
                    + count + " and " + starts.length);
        }
        int branches = 0;
        long[] firstOffsets = new long[MULTI_MAX_BRANCHES];
        int[] firstKeys = new int[MULTI_MAX_BRANCHES];
        int nextKey = 0;
        for (; nextKey < count && branches < MULTI_MAX_BRANCHES; nextKey++) {
            if (starts[nextKey] >= 0) {
                firstKeys[branches] = nextKey;
                firstOffsets[branches] = readOffsetOf(starts[nextKey]);
                branches++;
            }
        }
        int budget = count * (layout.layers() + 1) + 1;
        ScratchReader<List<Optional<byte[]>>> reader = scratch -> {
            List<Optional<byte[]>> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte status = scratch.get(ValueLayout.JAVA_BYTE, ScratchDescriptor.multiStatusOffset(i));
                values.add(status == STATUS_FOUND
                        ? Optional.of(NodeDescriptor.valueOf(scratch, ScratchDescriptor.multiValueOffset(i)))
                        : Optional.empty());
            }
            return values;
        };
        if (branches == 0) {
            return null;
        }
        long[] offsets = Arrays.copyOf(firstOffsets, branches);
        int[] sizes = new int[branches];
        Arrays.fill(sizes, BLOCK_SIZE);
        int queued = nextKey;
        int started = branches;
        return new XrpRequest<>(function, offsets, sizes, scratch -> {
            ScratchDescriptor.writeParams(scratch, layout, fileSizeBytes);
            scratch.set(U32, MULTI_COUNT, count);
            scratch.set(U32, MULTI_NEXT_KEY, queued);
            int resolved = 0;
            for (int i = 0; i < count; i++) {
                scratch.set(U64, ScratchDescriptor.multiKeyOffset(i), keys[i]);
                long start = starts[i];
                if (start < 0) {
                    scratch.set(ValueLayout.JAVA_BYTE, ScratchDescriptor.multiStatusOffset(i), (byte) STATUS_NOT_FOUND);
                    resolved++;
                    continue;
                }
                scratch.set(U64, ScratchDescriptor.multiStartOffset(i), readOffsetOf(start));
                if (los != null) {
                    scratch.set(U64, ScratchDescriptor.multiLoOffset(i), los[i]);
                    scratch.set(U64, ScratchDescriptor.multiHiOffset(i), his[i]);
                }
                if (start >= valueLogOffset) {
                    scratch.set(U64, ScratchDescriptor.multiValueOffsetOffset(i), start);
                }
            }
            scratch.set(U32, MULTI_RESOLVED, resolved);
            for (int b = 0; b < started; b++) {
                scratch.set(ValueLayout.JAVA_BYTE, MULTI_SLOT_KEY + b, (byte) firstKeys[b]);
            }
        }, reader, budget, ScratchDescriptor.MULTI_END);
    }

    /** The block to read first for a start: the node itself, or the value's block. */
    private long readOffsetOf(long start) {
        return start >= valueLogOffset ? NodeDescriptor.blockOf(start) : start;
    }
}
