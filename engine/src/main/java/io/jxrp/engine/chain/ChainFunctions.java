package io.jxrp.engine.chain;

import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.XrpRequest;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Storage functions over a {@link ChainFile} and their scratch layout: the pointer-chasing workload
 * (the engine's contract tests, its demo and the chain benchmark).
 */
public final class ChainFunctions {
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Scratch: remaining hops at 0, xor of payloads at 8, index of the next record at 16, visited count at 24. */
    public static final long REMAINING = 0;
    public static final long XOR = 8;
    public static final long NEXT = 16;
    public static final long VISITED = 24;

    private ChainFunctions() {
    }

    /** Follows {@code next} for as many hops as the scratch says. */
    public static final StorageFunction CHASE = ctx -> {
        MemorySegment s = ctx.scratch();
        MemorySegment d = ctx.data();
        long next = d.get(U64, 0);
        s.set(U64, XOR, s.get(U64, XOR) ^ d.get(U64, 8));
        s.set(U64, NEXT, next);
        s.set(U64, VISITED, s.get(U64, VISITED) + 1);
        long remaining = s.get(U64, REMAINING) - 1;
        s.set(U64, REMAINING, remaining);
        if (remaining == 0) {
            ctx.setDone();
        } else {
            ctx.setNext(next * ChainFile.RECORD, ChainFile.RECORD);
        }
        return 0;
    };

    /** A request that chases {@code hops} records from {@code start}; the answer is {xor, last, visited}. */
    public static XrpRequest<long[]> chase(int start, int hops) {
        return XrpRequest.of(CHASE, (long) start * ChainFile.RECORD, ChainFile.RECORD, ChainFunctions::answer)
                .withScratch(s -> s.set(U64, REMAINING, hops))
                .withHopBudget(hops + 1);
    }

    public static long[] answer(MemorySegment scratch) {
        return new long[] {scratch.get(U64, XOR), scratch.get(U64, NEXT), scratch.get(U64, VISITED)};
    }

    /**
     * Fan-out: reading record i ({@code i < limit}) asks for records i*fanout+1 .. i*fanout+fanout (those below
     * limit) in parallel: a complete tree over indices. Counts visits and xors payloads.
     */
    public static StorageFunction tree(int fanout, int limit) {
        return ctx -> {
            MemorySegment s = ctx.scratch();
            MemorySegment d = ctx.data();
            s.set(U64, XOR, s.get(U64, XOR) ^ d.get(U64, 8));
            s.set(U64, VISITED, s.get(U64, VISITED) + 1);
            long i = ctx.curAddr() / ChainFile.RECORD;
            for (int k = 0; k < fanout; k++) {
                long child = i * fanout + 1 + k;
                if (child < limit) {
                    ctx.setNext(k, child * ChainFile.RECORD, ChainFile.RECORD);
                }
            }
            return 0;
        };
    }
}
