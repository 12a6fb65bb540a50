package io.jxrp.bench.jmh;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A backend whose "device" is the file copied into memory: a read completes at once with a memory
 * copy. It takes the kernel and the device out of the measurement, leaving the engine's own cost
 * per hop (function dispatch, checks, translation, bookkeeping). For benchmarks only.
 */
final class MemoryBackend implements IoBackend {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public IoQueue open(QueueSpec spec) throws IOException {
        return new Queue(spec);
    }

    private static final class Queue implements IoQueue {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment device;
        private final MemorySegment[] buffers;
        private final long[] tags;
        private final int[] results;
        private int staged;

        Queue(QueueSpec spec) throws IOException {
            try (FileChannel ch = FileChannel.open(spec.files().get(0), StandardOpenOption.READ)) {
                device = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            MemorySegment slab = arena.allocate((long) spec.bufferCount() * spec.bufferSizeBytes(), 4096);
            buffers = new MemorySegment[spec.bufferCount()];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = slab.asSlice((long) i * spec.bufferSizeBytes(), spec.bufferSizeBytes());
            }
            tags = new long[spec.depth()];
            results = new int[spec.depth()];
        }

        @Override
        public int alignment() {
            return 1;
        }

        @Override
        public MemorySegment buffer(int slot) {
            return buffers[slot];
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            int n = (int) Math.max(0, Math.min(length, device.byteSize() - offset));
            MemorySegment.copy(device, offset, buffers[slot], 0, n);
            tags[staged] = tag;
            results[staged] = n;
            staged++;
        }

        @Override
        public int staged() {
            return 0; // "submitted" at once: completions wait in the arrays
        }

        @Override
        public int submitAndReap(int minComplete, long timeoutNanos) {
            int n = staged;
            staged = 0;
            return n;
        }

        @Override
        public long completionTag(int index) {
            return tags[index];
        }

        @Override
        public int completionResult(int index) {
            return results[index];
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
