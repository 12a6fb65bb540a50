package io.jxrp.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Runs a {@link StorageFunction} on one block outside an engine, exactly as a reactor does (same
 * context record, same clearing of {@code done}, {@code next_addr} and {@code size}), and shows what
 * it asked for: for unit tests of a function, model checks and benchmarks of one hop.
 *
 * <pre>{@code
 * try (FunctionRunner runner = new FunctionRunner()) {
 *     int rc = runner.run(fn, block, 0, 0, scratch);
 *     if (rc == 0 && !runner.isDone()) { long next = runner.nextAddr(0); ... }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one invocation at a time, as on a reactor.
 */
public final class FunctionRunner implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final XrpContext ctx = new XrpContext(arena);

    /** A runner with its own context record (off-heap, freed by {@link #close()}). */
    public FunctionRunner() {
    }

    /**
     * Invokes {@code function} once.
     *
     * @param block       the bytes just read (what {@link XrpContext#data()} shows)
     * @param logicalAddr the logical offset they were read from ({@code cur_addr})
     * @param slot        the next-read slot that asked for them
     * @param scratch     the request's scratch, kept by the caller between hops
     * @return the function's return value; an exception it throws reaches the caller
     */
    public int run(StorageFunction function, MemorySegment block, long logicalAddr, int slot, MemorySegment scratch) {
        ctx.prepare(block, logicalAddr, slot, scratch);
        try {
            return function.apply(ctx);
        } finally {
            ctx.release();
        }
    }

    /** Whether the last invocation set {@code done}. */
    public boolean isDone() {
        return ctx.isDone();
    }

    /** Next-read slot {@code slot} (0..15) of the last invocation: logical offset, 0 when unset. */
    public long nextAddr(int slot) {
        return ctx.nextAddr(slot);
    }

    /** Next-read slot {@code slot} of the last invocation: size in bytes, 0 = no read. */
    public long nextSize(int slot) {
        return ctx.nextSize(slot);
    }

    /** The raw context record ({@link XrpContextDescriptor} layout) as the last invocation left it. */
    public MemorySegment record() {
        return ctx.record();
    }

    @Override
    public void close() {
        arena.close();
    }
}
