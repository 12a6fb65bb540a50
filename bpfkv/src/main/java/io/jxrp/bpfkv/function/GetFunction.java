package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.bpfkv.format.ScratchDescriptor;
import io.jxrp.bpfkv.format.TreeLayout;
import static io.jxrp.bpfkv.format.NodeDescriptor.BLOCK_SIZE;
import static io.jxrp.bpfkv.format.NodeDescriptor.VALUE_SIZE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_ERROR;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_FOUND;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_HI;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_KEY;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_LO;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_VALUE;
import static io.jxrp.bpfkv.format.ScratchDescriptor.GET_VALUE_OFFSET;
import static io.jxrp.bpfkv.format.ScratchDescriptor.U64;

import io.jxrp.engine.ScratchReader;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpContext;
import io.jxrp.engine.XrpRequest;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Point lookup as one engine request: the index hops (from the root, or from the first uncached
 * node) and then the value's 512 B block, L + 1 reads without the cache. Scratch layout in
 * {@link ScratchDescriptor} (point lookup).
 */
public final class GetFunction extends TreeFunction {
    /** Reads one lookup can need: every level and the value block, and a little slack. */
    private final int hopBudget;

    public GetFunction(TreeLayout layout, long fileSizeBytes) {
        super(layout, fileSizeBytes);
        this.hopBudget = layout.layers() + 2;
    }

    @Override
    public int apply(XrpContext ctx) {
        MemorySegment data = ctx.data();
        MemorySegment scratch = ctx.scratch();
        long current = ctx.curAddr();
        if (current >= valueLogOffset) {
            long valueOffset = scratch.get(U64, GET_VALUE_OFFSET);
            long delta = valueOffset - current;
            if (valueOffset == 0 || delta < 0 || delta > data.byteSize() - VALUE_SIZE) {
                return fail(scratch, E_UNEXPECTED_BLOCK);
            }
            MemorySegment.copy(data, delta, scratch, GET_VALUE, VALUE_SIZE);
            scratch.set(U64, GET_FOUND, 1);
            ctx.setDone();
            return 0;
        }
        int level = levelOf(current);
        if (level < 0 || data.byteSize() < BLOCK_SIZE) {
            return fail(scratch, E_UNEXPECTED_BLOCK);
        }
        long key = scratch.get(U64, GET_KEY);
        long type = NodeDescriptor.type(data, 0);
        long lo = scratch.get(U64, GET_LO);
        long hi = scratch.get(U64, GET_HI);
        if (level < lastLevel) {
            if (type != NodeDescriptor.TYPE_INTERNAL) {
                return fail(scratch, E_NODE_TYPE);
            }
            int child = scanNode(data, lo, hi, key, true);
            if (child < 0) {
                return fail(scratch, -child);
            }
            long pointer = NodeDescriptor.ptr(data, 0, child);
            if (!childPointerOk(pointer, level)) {
                return fail(scratch, E_CHILD_POINTER);
            }
            scratch.set(U64, GET_LO, NodeDescriptor.childLowerBound(data, 0, child, lo));
            scratch.set(U64, GET_HI, NodeDescriptor.childUpperBound(data, 0, child, hi));
            ctx.setNext(0, NodeDescriptor.decode(pointer), BLOCK_SIZE);
            return 0;
        }
        if (type != NodeDescriptor.TYPE_LEAF) {
            return fail(scratch, E_NODE_TYPE);
        }
        int index = scanNode(data, lo, hi, key, false);
        if (index < 0) {
            return fail(scratch, -index);
        }
        if (index == NodeDescriptor.FANOUT) {
            ctx.setDone(); // not found: found stays 0
            return 0;
        }
        long pointer = NodeDescriptor.ptr(data, 0, index);
        if (!valuePointerOk(pointer, key)) {
            return fail(scratch, E_VALUE_POINTER);
        }
        long valueOffset = NodeDescriptor.decode(pointer);
        scratch.set(U64, GET_VALUE_OFFSET, valueOffset);
        ctx.setNext(0, NodeDescriptor.blockOf(valueOffset), BLOCK_SIZE);
        return 0;
    }

    private static int fail(MemorySegment scratch, int code) {
        scratch.set(U64, GET_ERROR, code);
        return code;
    }

    /** The value, or empty when the key was not found. */
    static final ScratchReader<Optional<byte[]>> READER = scratch -> scratch.get(U64, GET_FOUND) == 1
            ? Optional.of(NodeDescriptor.valueOf(scratch, GET_VALUE))
            : Optional.empty();

    /**
     * The request for {@code key}, its first read at {@code start}: a node offset (the root, or the
     * first uncached node), or a value's offset (bit 63 clear, inside the value log) when the
     * whole index is cached.
     */
    public XrpRequest<Optional<byte[]>> request(long key, long start) {
        return request(this, key, start);
    }

    /** As {@link #request(long, long)}, run by {@code function} (same scratch layout, e.g. an eBPF program). */
    public XrpRequest<Optional<byte[]>> request(StorageFunction function, long key, long start) {
        return request(function, key, start, 0, 0);
    }

    /**
     * As {@link #request(StorageFunction, long, long)}, the first node's keys bounded by
     * {@code [lo, hi)} ({@code hi} 0: none): the separators of the cached parent that led to it.
     */
    public XrpRequest<Optional<byte[]>> request(StorageFunction function, long key, long start, long lo, long hi) {
        boolean valueFirst = start >= valueLogOffset;
        long firstRead = valueFirst ? NodeDescriptor.blockOf(start) : start;
        return new XrpRequest<>(function, new long[] {firstRead}, new int[] {BLOCK_SIZE}, scratch -> {
            ScratchDescriptor.writeParams(scratch, layout, fileSizeBytes);
            scratch.set(U64, GET_KEY, key);
            scratch.set(U64, GET_LO, lo);
            scratch.set(U64, GET_HI, hi);
            if (valueFirst) {
                scratch.set(U64, GET_VALUE_OFFSET, start);
            }
        }, READER, hopBudget, ScratchDescriptor.GET_END);
    }
}
