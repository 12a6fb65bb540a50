package io.jxrp.engine.backend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The portable backend: positional {@link FileChannel} reads with O_DIRECT on a small pool of
 * threads per queue. Works on any JDK and kernel; it pays a thread hand-off and a system call per
 * I/O, which is what the {@code uring} backend avoids.
 */
public final class JavaBackend implements IoBackend {
    private final int threadsPerQueue;

    /** @param threadsPerQueue reader threads per queue pair (the effective device queue depth) */
    public JavaBackend(int threadsPerQueue) {
        if (threadsPerQueue < 1 || threadsPerQueue > 256) {
            throw new IllegalArgumentException("threads per queue must be 1..256, got " + threadsPerQueue);
        }
        this.threadsPerQueue = threadsPerQueue;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public IoQueue open(QueueSpec spec) throws IOException {
        return new JavaQueue(spec, Math.min(threadsPerQueue, spec.depth()));
    }

    /** One read in flight: pooled, handed to a worker and back, never allocated per I/O. */
    private static final class Op {
        long tag;
        int fileIndex;
        long offset;
        int length;
        int slot;
        int result;
    }

    private static final class JavaQueue implements IoQueue {
        private static final Op WAKE = new Op();
        private static final Op STOP = new Op();

        private final Arena arena = Arena.ofShared();
        private final FileChannel[] channels;
        private final MemorySegment[] buffers;
        private final ByteBuffer[] byteBuffers;
        private final ArrayDeque<Op> freeOps = new ArrayDeque<>();
        private final List<Op> staged = new ArrayList<>();
        private final ArrayBlockingQueue<Op> work;
        private final ArrayBlockingQueue<Op> done;
        private final Op[] reaped;
        private final long[] completionTags;
        private final int[] completionResults;
        private final Thread[] workers;
        private final int alignment;
        private boolean closed;

        JavaQueue(QueueSpec spec, int threads) throws IOException {
            List<Path> files = spec.files();
            channels = new FileChannel[files.size()];
            try {
                for (int i = 0; i < channels.length; i++) {
                    channels[i] = openDirect(files.get(i));
                }
            } catch (IOException | RuntimeException e) {
                closeChannels();
                arena.close();
                throw e;
            }
            int align = 1;
            for (Path f : files) {
                // the JDK checks O_DIRECT I/O against the file store's block size (f_frsize), not the sector size
                align = Math.max(align, (int) Files.getFileStore(f).getBlockSize());
            }
            alignment = align;
            int size = spec.bufferSizeBytes();
            MemorySegment slab = arena.allocate((long) spec.bufferCount() * size, 4096);
            buffers = new MemorySegment[spec.bufferCount()];
            byteBuffers = new ByteBuffer[spec.bufferCount()];
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = slab.asSlice((long) i * size, size);
                byteBuffers[i] = buffers[i].asByteBuffer();
            }
            int depth = spec.depth();
            for (int i = 0; i < depth; i++) {
                freeOps.add(new Op());
            }
            work = new ArrayBlockingQueue<>(depth + threads);
            done = new ArrayBlockingQueue<>(depth + 1);
            reaped = new Op[depth];
            completionTags = new long[depth];
            completionResults = new int[depth];
            workers = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = Thread.ofPlatform().daemon().name("jxrp-java-io-" + i).start(this::workLoop);
            }
        }

        private static FileChannel openDirect(Path file) throws IOException {
            try {
                return FileChannel.open(file, StandardOpenOption.READ, DirectIo.require());
            } catch (UnsupportedOperationException e) {
                throw new IOException(file + ": O_DIRECT is not supported on this file system", e);
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains("Invalid argument")) {
                    throw new IOException(file + ": O_DIRECT is not supported on this file system (EINVAL)", e);
                }
                throw e;
            }
        }

        private void workLoop() {
            try {
                while (true) {
                    Op op = work.take();
                    if (op == STOP) {
                        return;
                    }
                    op.result = read(op);
                    done.put(op);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private int read(Op op) {
            ByteBuffer bb = byteBuffers[op.slot];
            bb.clear().limit(op.length);
            FileChannel ch = channels[op.fileIndex];
            long position = op.offset;
            try {
                while (bb.hasRemaining()) {
                    int n = ch.read(bb, position);
                    if (n <= 0) {
                        break; // end of file
                    }
                    position += n;
                    if (bb.hasRemaining()) {
                        // a short O_DIRECT read is the end of the file: asking for the rest would be an
                        // unaligned read, which the JDK refuses; report it short, as pread does
                        break;
                    }
                }
                return bb.position();
            } catch (IOException e) {
                return -Errno.guess(e);
            }
        }

        @Override
        public int alignment() {
            return alignment;
        }

        @Override
        public MemorySegment buffer(int slot) {
            return buffers[slot];
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            Op op = freeOps.poll();
            if (op == null) {
                throw new IllegalStateException("more reads staged than the queue depth " + reaped.length);
            }
            if (fileIndex < 0 || fileIndex >= channels.length || slot < 0 || slot >= buffers.length
                    || length <= 0 || length > buffers[slot].byteSize()) {
                freeOps.add(op);
                throw new IllegalArgumentException("bad descriptor: file " + fileIndex + " slot " + slot + " length " + length);
            }
            op.tag = tag;
            op.fileIndex = fileIndex;
            op.offset = offset;
            op.length = length;
            op.slot = slot;
            staged.add(op);
        }

        @Override
        public int staged() {
            return staged.size();
        }

        @Override
        public int submitAndReap(int minComplete, long timeoutNanos) throws IOException {
            if (closed) {
                throw new IllegalStateException("queue closed");
            }
            for (int i = 0, n = staged.size(); i < n; i++) {
                work.add(staged.get(i)); // cannot overflow: ops in flight never exceed the pool
            }
            staged.clear();
            int count = drain(0);
            if (count < minComplete && timeoutNanos != 0) {
                try {
                    long deadline = System.nanoTime() + (timeoutNanos < 0 ? Long.MAX_VALUE / 2 : timeoutNanos);
                    while (count < minComplete) {
                        long left = deadline - System.nanoTime();
                        Op op = left > 0 ? done.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (op == null || op == WAKE) {
                            break;
                        }
                        count = record(op, count);
                        count = drain(count);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return count;
        }

        private int drain(int count) {
            Op op;
            while (count < reaped.length && (op = done.poll()) != null) {
                if (op != WAKE) {
                    count = record(op, count);
                }
            }
            return count;
        }

        private int record(Op op, int count) {
            completionTags[count] = op.tag;
            completionResults[count] = op.result;
            freeOps.add(op);
            return count + 1;
        }

        @Override
        public long completionTag(int index) {
            return completionTags[index];
        }

        @Override
        public int completionResult(int index) {
            return completionResults[index];
        }

        @Override
        public void wakeup() {
            done.offer(WAKE); // full means completions are waiting anyway
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < workers.length; i++) {
                work.offer(STOP);
            }
            // A worker may be blocked handing back a completion; keep draining until all have stopped.
            for (Thread t : workers) {
                while (t.isAlive()) {
                    done.clear();
                    try {
                        t.join(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            IOException failure = closeChannels();
            arena.close();
            if (failure != null) {
                throw failure;
            }
        }

        private IOException closeChannels() {
            IOException failure = null;
            if (channels == null) {
                return null;
            }
            for (FileChannel ch : channels) {
                if (ch == null) {
                    continue;
                }
                try {
                    ch.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            return failure;
        }
    }
}
