package io.jxrp.engine.backend;

/**
 * What a reactor asks of a backend for one queue.
 *
 * @param depth           maximum I/Os in flight (power of two)
 * @param bufferCount     buffers in the slab (the engine uses one per in-flight I/O)
 * @param bufferSizeBytes bytes per buffer, a multiple of 4096
 * @param maxDevices      most devices attached to the queue at once
 */
public record QueueSpec(int depth, int bufferCount, int bufferSizeBytes, int maxDevices) {
    public QueueSpec {
        if (depth < 1 || depth > 4096 || Integer.bitCount(depth) != 1) {
            throw new IllegalArgumentException("queue depth must be a power of two in 1..4096, got " + depth);
        }
        if (bufferCount < 1) {
            throw new IllegalArgumentException("bufferCount " + bufferCount);
        }
        if (bufferSizeBytes < 4096 || bufferSizeBytes % 4096 != 0) {
            throw new IllegalArgumentException("buffer size must be a positive multiple of 4096, got " + bufferSizeBytes);
        }
        if (maxDevices < 1 || maxDevices > 4096) {
            throw new IllegalArgumentException("maxDevices must be 1..4096, got " + maxDevices);
        }
    }
}
