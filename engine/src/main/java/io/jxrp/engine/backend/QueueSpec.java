package io.jxrp.engine.backend;

import java.nio.file.Path;
import java.util.List;

/**
 * What a reactor asks of a backend.
 *
 * @param files           files opened read-only with O_DIRECT; descriptors name them by index
 * @param depth           maximum I/Os in flight (power of two)
 * @param bufferCount     buffers in the slab (the engine uses one per in-flight I/O)
 * @param bufferSizeBytes bytes per buffer, a multiple of 4096
 */
public record QueueSpec(List<Path> files, int depth, int bufferCount, int bufferSizeBytes) {
    public QueueSpec {
        files = List.copyOf(files);
        if (files.isEmpty() || files.size() > 8) {
            throw new IllegalArgumentException("1..8 files per queue, got " + files.size());
        }
        if (depth < 1 || depth > 4096 || Integer.bitCount(depth) != 1) {
            throw new IllegalArgumentException("queue depth must be a power of two in 1..4096, got " + depth);
        }
        if (bufferCount < 1) {
            throw new IllegalArgumentException("bufferCount " + bufferCount);
        }
        if (bufferSizeBytes < 4096 || bufferSizeBytes % 4096 != 0) {
            throw new IllegalArgumentException("buffer size must be a positive multiple of 4096, got " + bufferSizeBytes);
        }
    }
}
