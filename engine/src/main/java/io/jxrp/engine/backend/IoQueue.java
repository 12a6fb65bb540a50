package io.jxrp.engine.backend;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One queue pair of a backend, owned by one reactor thread: a slab of aligned buffers, attached
 * devices, staged descriptors and a completion array. {@link #submitAndReap} is the one crossing per
 * batch: it submits everything staged and reaps what completed. Only {@link #wakeup()} may be called
 * from other threads.
 */
public interface IoQueue extends AutoCloseable {

    /** The buffer of {@code slot}: {@link QueueSpec#bufferSizeBytes()} bytes, 4 KiB-aligned. */
    MemorySegment buffer(int slot);

    /**
     * Opens {@code device} on this queue (read-only, or read-write when {@code writable}).
     *
     * @return the handle descriptors name it by
     * @throws IOException naming the device and the reason
     */
    int attach(DeviceAddress device, boolean writable) throws IOException;

    /** Closes device {@code handle}; I/O already submitted on it still completes. */
    void detach(int handle) throws IOException;

    /**
     * Alignment (bytes, a power of two) this backend needs for offsets and lengths on {@code handle},
     * on top of the device's logical block size: 1 for the shims, the JDK's O_DIRECT block size for
     * {@code java}.
     */
    int alignment(int handle);

    /** Stages a read of {@code length} bytes at device {@code offset} of {@code handle} into {@code slot}. */
    void addRead(long tag, int handle, long offset, int length, int slot);

    /** Stages a write of {@code length} bytes of {@code slot}'s buffer at {@code offset} of {@code handle}. */
    void addWrite(long tag, int handle, long offset, int length, int slot);

    /**
     * Stages a flush of {@code handle}: it completes with 0 once every write completed before it is
     * durable (fdatasync, NVMe FLUSH), or with {@code -errno}.
     */
    void addFlush(long tag, int handle);

    /** Descriptors staged but not yet submitted. */
    int staged();

    /**
     * True when the queue completes I/O only when polled (SPDK): the reactor then never blocks in
     * {@link #submitAndReap} but spins while this queue has I/O in flight.
     */
    default boolean polled() {
        return false;
    }

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
