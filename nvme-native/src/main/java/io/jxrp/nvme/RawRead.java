package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The device limit when fio is absent: aligned random {@code O_DIRECT} reads through io_uring at a
 * fixed depth, in a C loop with no JVM involvement per I/O.
 */
public final class RawRead {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Output record {@code struct jxrp_raw_result}: u64 ios at 0, u64 nanos at 8. */
    private static final int IOS_OFFSET = 0;
    private static final int NANOS_OFFSET = 8;
    private static final int RESULT_LENGTH = 16;

    private RawRead() {}

    /** Completed reads, elapsed time and their ratio. */
    public record Result(long ios, long nanos, double iops) {}

    /**
     * Reads random {@code blockSize}-aligned blocks from the first {@code regionBytes} of
     * {@code path} ({@code <= 0}: all of it) with {@code depth} reads in flight for
     * {@code durationNanos}; {@code seed} makes the offset sequence repeatable.
     *
     * @throws IOException open/setup failures, or the first failed or short read
     */
    public static Result randomReads(Path path, int blockSize, int depth, long durationNanos, long seed,
                                     long regionBytes) throws IOException {
        NvmeNative.ensureAvailable();
        if (blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two >= 512, got " + blockSize);
        }
        if (depth < 1 || depth > QueuePairConfig.MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be in 1.." + QueuePairConfig.MAX_DEPTH + ", got " + depth);
        }
        if (durationNanos < 0) {
            throw new IllegalArgumentException("durationNanos must be >= 0");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(RESULT_LENGTH, 8);
            int rc = NativeShim.jxrp_raw_random_reads(path.toString(), blockSize, depth, durationNanos, seed,
                    regionBytes, out.address());
            if (rc < 0) {
                throw NativeErrors.ioException("random O_DIRECT reads (" + blockSize + " B, depth " + depth + ") of",
                        path, rc);
            }
            long ios = out.get(U64, IOS_OFFSET);
            long nanos = out.get(U64, NANOS_OFFSET);
            return new Result(ios, nanos, nanos == 0 ? 0 : ios * 1e9 / nanos);
        }
    }
}
