package io.jxrp.bpfkv.function;

import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.engine.BlockVerifier;
import io.jxrp.engine.Outcome;
import io.jxrp.engine.FunctionRunner;
import io.jxrp.engine.XrpContextDescriptor;
import io.jxrp.engine.XrpRequest;
import io.jxrp.engine.XrpResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * Drives storage functions by hand, following StorageFunction's contract without the engine:
 * reads through a FileChannel, every non-zero slot becomes a pending read, pending reads complete
 * in a seeded random order (fan-out results arrive out of order), the hop budget is enforced, and
 * addresses outside the file end the request with BAD_ADDRESS, and, given a {@link BlockVerifier}, the
 * whole blocks around each read are verified before the function sees them (a mismatch ends the
 * request with CORRUPT, the bad block's offset the detail), as the engine's target does.
 * Single-threaded, synchronized.
 */
final class FunctionDriver implements EngineOps.Runner, AutoCloseable {
    private record Read(long address, long size, int slot) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Random order;
    private final Arena arena = Arena.ofShared();
    private final FunctionRunner ctx = new FunctionRunner();
    private final MemorySegment scratch = arena.allocate(XrpContextDescriptor.SCRATCH_SIZE, 4096);
    private final long fileSize;
    private final BlockVerifier verifier;
    long maxParallelReads;

    FunctionDriver(Path file, long seed) throws IOException {
        this(file, seed, null);
    }

    /** As {@link #FunctionDriver(Path, long)}, verifying every block read against {@code verifier} (null: none). */
    FunctionDriver(Path file, long seed, BlockVerifier verifier) throws IOException {
        this.file = file;
        this.verifier = verifier;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.fileSize = channel.size();
        this.order = new Random(seed);
    }

    @Override
    public <T> void submit(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback) {
        XrpResult<T> result;
        try {
            result = run(request);
        } catch (RuntimeException e) {
            callback.accept(null, e);
            return;
        }
        callback.accept(result, null);
    }

    synchronized <T> XrpResult<T> run(XrpRequest<T> request) {
        MemorySegment scratch = this.scratch.asSlice(0, request.scratchBytes()); // as the engine hands it out
        scratch.fill((byte) 0);
        if (request.scratchInit() != null) {
            request.scratchInit().accept(scratch);
        }
        int budget = request.hopBudget() > 0 ? request.hopBudget() : 64;
        List<Read> pending = new ArrayList<>();
        int issued = 0;
        for (int i = 0; i < request.offsets().length; i++) {
            pending.add(new Read(request.offsets()[i], request.sizes()[i], i));
            issued++;
        }
        if (issued > budget) {
            return end(request, Outcome.BUDGET_EXHAUSTED, 0, -1);
        }
        int hops = 0;
        while (!pending.isEmpty()) {
            maxParallelReads = Math.max(maxParallelReads, pending.size());
            Read read = pending.remove(order.nextInt(pending.size()));
            if (read.address() < 0 || read.size() <= 0 || read.address() + read.size() > fileSize) {
                return end(request, Outcome.BAD_ADDRESS, hops, read.address());
            }
            MemorySegment block = arena.allocate(read.size(), 512);
            try {
                channel.read(block.asByteBuffer(), read.address());
            } catch (IOException e) {
                throw new UncheckedIOException(file.toString(), e);
            }
            hops++;
            long bad = verify(read);
            if (bad >= 0) {
                return end(request, Outcome.CORRUPT, hops, bad);
            }
            int rc;
            try {
                rc = ctx.run(request.function(), block, read.address(), read.slot(), scratch);
            } catch (RuntimeException e) {
                rc = Integer.MIN_VALUE;
            }
            if (rc != 0) {
                return end(request, Outcome.FUNCTION_ERROR, hops, rc);
            }
            if (ctx.isDone()) {
                return end(request, Outcome.OK, hops, -1);
            }
            for (int s = 0; s < XrpContextDescriptor.MAX_NEXT; s++) {
                long size = ctx.nextSize(s);
                if (size != 0) {
                    if (++issued > budget) {
                        return end(request, Outcome.BUDGET_EXHAUSTED, hops, ctx.nextAddr(s));
                    }
                    pending.add(new Read(ctx.nextAddr(s), size, s));
                }
            }
        }
        return end(request, Outcome.OK, hops, -1);
    }

    /** The whole verifier blocks around {@code read} checked, as the engine reads them: -1, or the first bad block's offset. */
    private long verify(Read read) {
        if (verifier == null) {
            return -1;
        }
        long blockSize = verifier.blockSizeBytes();
        long start = Math.floorDiv(read.address(), blockSize) * blockSize;
        long end = Math.min(fileSize, Math.ceilDiv(read.address() + read.size(), blockSize) * blockSize);
        MemorySegment blocks = arena.allocate(end - start, blockSize);
        try {
            channel.read(blocks.asByteBuffer(), start);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
        return verifier.verify(start, blocks, 0, end - start);
    }

    private <T> XrpResult<T> end(XrpRequest<T> request, Outcome outcome, int hops, long detail) {
        return new XrpResult<>(outcome, request.reader().read(scratch.asSlice(0, request.scratchBytes())), hops, detail, 0);
    }

    @Override
    public void close() throws IOException {
        channel.close();
        ctx.close();
        arena.close();
    }
}
