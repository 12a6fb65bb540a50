package io.jxrp.engine;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One request: the target it reads, the first read(s), the function run on every completed block,
 * how the scratch page starts and how the answer is taken out of it.
 *
 * @param function     runs on every completed block
 * @param offsets      logical offsets (in the target) of the first reads (1..16, read in parallel, slot = index)
 * @param sizes        their sizes in bytes
 * @param scratchInit  fills the zeroed scratch page before the first read (may be null)
 * @param reader       extracts the answer from the scratch page at the end
 * @param hopBudget    maximum reads for the request; 0 = the engine's default
 *                     ({@link EngineOptions#hopBudget()}, {@value EngineOptions#DEFAULT_HOP_BUDGET} unless
 *                     set). The budget only stops runaway chains: a request that reaches it ends with
 *                     {@link Outcome#BUDGET_EXHAUSTED} and the scratch as it was.
 * @param scratchBytes how much of the 4 KiB scratch page the request uses (1..4096): the engine
 *                     zeroes that much at the start, and the function, the initialiser and the reader
 *                     see a scratch of exactly that size, so an access past it is a function error,
 *                     never a look at an earlier request's bytes. Zeroing 4 KiB per request costs more
 *                     than a short request's other bookkeeping; a request that needs little asks for little.
 * @param target       the target to read; null: the engine's default target (the one it was opened on)
 */
public record XrpRequest<T>(StorageFunction function, long[] offsets, int[] sizes,
                            Consumer<MemorySegment> scratchInit, ScratchReader<T> reader, int hopBudget,
                            int scratchBytes, Target target) {

    public XrpRequest {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(reader, "reader");
        if (offsets.length == 0 || offsets.length > XrpContextDescriptor.MAX_NEXT || offsets.length != sizes.length) {
            throw new IllegalArgumentException("a request starts with 1.." + XrpContextDescriptor.MAX_NEXT
                    + " reads, offsets and sizes of equal length; got " + offsets.length + " and " + sizes.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] <= 0 || offsets[i] < 0) {
                throw new IllegalArgumentException("read " + i + ": offset " + offsets[i] + " size " + sizes[i]);
            }
        }
        if (hopBudget < 0) {
            throw new IllegalArgumentException("hopBudget " + hopBudget + " < 0");
        }
        if (scratchBytes < 1 || scratchBytes > XrpContextDescriptor.SCRATCH_SIZE) {
            throw new IllegalArgumentException("scratchBytes " + scratchBytes + " outside 1.."
                    + XrpContextDescriptor.SCRATCH_SIZE);
        }
    }

    /** A request on the engine's default target. */
    public XrpRequest(StorageFunction function, long[] offsets, int[] sizes, Consumer<MemorySegment> scratchInit,
                      ScratchReader<T> reader, int hopBudget, int scratchBytes) {
        this(function, offsets, sizes, scratchInit, reader, hopBudget, scratchBytes, null);
    }

    /** A request on the engine's default target that uses the whole 4 KiB scratch page. */
    public XrpRequest(StorageFunction function, long[] offsets, int[] sizes, Consumer<MemorySegment> scratchInit,
                      ScratchReader<T> reader, int hopBudget) {
        this(function, offsets, sizes, scratchInit, reader, hopBudget, XrpContextDescriptor.SCRATCH_SIZE, null);
    }

    /** A request starting with one read at {@code offset} of the engine's default target. */
    public static <T> XrpRequest<T> of(StorageFunction function, long offset, int size, ScratchReader<T> reader) {
        return of(null, function, offset, size, reader);
    }

    /** A request starting with one read at {@code offset} of {@code target}. */
    public static <T> XrpRequest<T> of(Target target, StorageFunction function, long offset, int size,
                                       ScratchReader<T> reader) {
        return new XrpRequest<>(function, new long[] {offset}, new int[] {size}, null, reader, 0,
                XrpContextDescriptor.SCRATCH_SIZE, target);
    }

    public XrpRequest<T> withScratch(Consumer<MemorySegment> init) {
        return new XrpRequest<>(function, offsets, sizes, init, reader, hopBudget, scratchBytes, target);
    }

    public XrpRequest<T> withHopBudget(int budget) {
        return new XrpRequest<>(function, offsets, sizes, scratchInit, reader, budget, scratchBytes, target);
    }

    /** The same request using only the first {@code bytes} of the scratch page (see {@code scratchBytes}). */
    public XrpRequest<T> withScratchBytes(int bytes) {
        return new XrpRequest<>(function, offsets, sizes, scratchInit, reader, hopBudget, bytes, target);
    }

    /** The same request on {@code t}. */
    public XrpRequest<T> withTarget(Target t) {
        return new XrpRequest<>(function, offsets, sizes, scratchInit, reader, hopBudget, scratchBytes, t);
    }
}
