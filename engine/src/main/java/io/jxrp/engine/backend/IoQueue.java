package io.jxrp.engine.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One queue pair of a backend, owned by one reactor thread: a slab of aligned buffers, staged read
 * descriptors and a completion array. {@link #submitAndReap} is the one crossing per batch: it submits
 * everything staged and reaps what completed. Only {@link #wakeup()} may be called from other threads.
 */
public interface IoQueue extends AutoCloseable {

    /**
     * Alignment (bytes, a power of two) the backend needs for offsets and lengths on top of the
     * device's logical block size: 1 for the shim, the JDK's O_DIRECT block size for {@code java}.
     */
    int alignment();

    /** The buffer of {@code slot}: {@link QueueSpec#bufferSizeBytes()} bytes, 4 KiB-aligned. */
    MemorySegment buffer(int slot);

    /** Stages a read of {@code length} bytes at device {@code offset} of file {@code fileIndex} into {@code slot}. */
    void addRead(long tag, int fileIndex, long offset, int length, int slot);

    /** Descriptors staged but not yet submitted. */
    int staged();

    /**
     * Submits what is staged and reaps completions into the completion array.
     *
     * @param minComplete   wait for at least this many completions (0: don't wait)
     * @param timeoutNanos  longest wait; a {@link #wakeup()} ends it early
     * @return completions now readable through {@link #completionTag}/{@link #completionResult}
     */
    int submitAndReap(int minComplete, long timeoutNanos) throws IOException;

    long completionTag(int index);

    /** Bytes transferred ({@code >= 0}) or {@code -errno}. */
    int completionResult(int index);

    /** Makes a blocked {@link #submitAndReap} return promptly; callable from any thread. */
    void wakeup();

    /** Ends the queue; waits for or cancels in-flight I/O before its buffers are freed. Idempotent. */
    @Override
    void close() throws IOException;
}
