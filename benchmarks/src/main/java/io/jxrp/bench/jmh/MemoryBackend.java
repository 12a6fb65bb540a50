package io.jxrp.bench.jmh;

import io.jxrp.engine.backend.DeviceAddress;
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
    public IoQueue openQueue(QueueSpec spec) {
        return new Queue(spec);
    }

    private static final class Queue implements IoQueue {
        private final Arena arena = Arena.ofShared();
        /** Attached files mapped into memory, by handle. */
        private final MemorySegment[] devices;
        private final MemorySegment[] buffers;
        private final long[] tags;
        private final int[] results;
        private int staged;

        Queue(QueueSpec spec) {
            devices = new MemorySegment[spec.maxDevices()];
            MemorySegment slab = arena.allocate((long) spec.bufferCount() * spec.bufferSizeBytes(), 4096);
            buffers = new MemorySegment[spec.bufferCount()];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = slab.asSlice((long) i * spec.bufferSizeBytes(), spec.bufferSizeBytes());
            }
            tags = new long[spec.depth()];
            results = new int[spec.depth()];
        }

        @Override
        public int attach(DeviceAddress address, boolean writable) throws IOException {
            if (writable || !(address instanceof DeviceAddress.PathDevice(var path))) {
                throw new IOException("the memory backend reads files only: " + address.describe());
            }
            for (int h = 0; h < devices.length; h++) {
                if (devices[h] == null) {
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                        devices[h] = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                    }
                    return h;
                }
            }
            throw new IOException("device table full");
        }

        @Override
        public void detach(int handle) {
            devices[handle] = null;
        }

        @Override
        public int alignment(int handle) {
            return 1;
        }

        @Override
        public void addWrite(long tag, int handle, long offset, int length, int slot) {
            throw new UnsupportedOperationException("the memory backend is read-only");
        }

        @Override
        public void addFlush(long tag, int handle) {
            throw new UnsupportedOperationException("the memory backend is read-only");
        }

        @Override
        public MemorySegment buffer(int slot) {
            return buffers[slot];
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            MemorySegment device = devices[fileIndex];
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
