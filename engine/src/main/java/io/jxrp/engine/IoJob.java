package io.jxrp.engine;

import io.jxrp.nvme.NativeErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * A write or a flush accepted by {@link ResubmissionEngine#write}/{@link ResubmissionEngine#flush}:
 * a write goes out in buffer-sized chunks as ops become free; the future completes when every chunk
 * has, with the first error if any.
 */
final class IoJob {
    static final byte WRITE = 1;
    static final byte FLUSH = 2;

    final byte kind;
    final Target target;
    final long offset;
    /** The caller's bytes (a write); copied into queue buffers chunk by chunk when staged. */
    final MemorySegment data;
    final CompletableFuture<Void> future = new CompletableFuture<>();
    /** Bytes staged so far (a flush: 1 once staged). Reactor thread only, like the fields below. */
    long staged;
    int chunksInFlight;
    int errno;
    long shortAt = -1;

    IoJob(byte kind, Target target, long offset, MemorySegment data) {
        this.kind = kind;
        this.target = target;
        this.offset = offset;
        this.data = data;
    }

    long sizeBytes() {
        return kind == WRITE ? data.byteSize() : 1;
    }

    boolean fullyStaged() {
        return staged == sizeBytes();
    }

    /** One chunk ended with {@code result} (bytes or -errno) of {@code expected} bytes at {@code chunkOffset}. */
    void chunkDone(int result, int expected, long chunkOffset) {
        chunksInFlight--;
        if (result < 0) {
            if (errno == 0) {
                errno = -result;
            }
        } else if (kind == WRITE && result < expected && shortAt < 0) {
            shortAt = chunkOffset + result;
        }
        if (fullyStaged() && chunksInFlight == 0) {
            end();
        }
    }

    private void end() {
        target.active.decrementAndGet();
        String what = kind == WRITE ? "write of " + data.byteSize() + " B at offset " + offset : "flush";
        if (errno != 0) {
            future.completeExceptionally(new IOException(target.spec + ": " + what + " failed: "
                    + NativeErrors.describe(errno)));
        } else if (shortAt >= 0) {
            future.completeExceptionally(new IOException(target.spec + ": " + what + " stopped short at offset "
                    + shortAt + " (device full or at its end)"));
        } else {
            if (kind == WRITE) {
                target.digest.grown(offset + data.byteSize());
            }
            future.complete(null);
        }
    }

    /** Ends the job without running it (the target closed or the engine stopped). */
    void fail(Throwable cause) {
        target.active.decrementAndGet();
        future.completeExceptionally(cause);
    }
}
