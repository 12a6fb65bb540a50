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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The portable backend: positional {@link FileChannel} reads and writes with O_DIRECT (and
 * {@link FileChannel#force} for flushes) on a small pool of threads per queue. Works on any JDK and kernel; it pays a thread hand-off and a system call per
 * I/O, which is what the {@code uring} backend avoids.
 */
public final class JavaBackend implements IoBackend {
    private static final Logger LOG = LoggerFactory.getLogger(JavaBackend.class);
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
    public IoQueue openQueue(QueueSpec spec) throws IOException {
        return new JavaQueue(spec, Math.min(threadsPerQueue, spec.depth()));
    }

    /** One I/O in flight: pooled, handed to a worker and back, never allocated per I/O. */
    private static final class Op {
        long tag;
        byte kind;
        int fileIndex;
        /** Taken at staging: a detach while the I/O runs does not pull the channel from under it. */
        FileChannel channel;
        long offset;
        int length;
        int slot;
        int result;
    }

    private static final class JavaQueue implements IoQueue {
        private static final Op WAKE = new Op();
        private static final Op STOP = new Op();

        private static final byte READ = 0;
        private static final byte WRITE = 1;
        private static final byte FLUSH = 2;

        private final Arena arena = Arena.ofShared();
        /** Attached files by handle (null where free); workers read it, the owner writes it. */
        private final FileChannel[] channels;
        private final boolean[] writable;
        private final int[] alignments;
        /** I/Os staged or in flight per handle (owner thread), and channels detached while some were. */
        private final int[] inFlight;
        private final FileChannel[] closeWhenIdle;
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
        private boolean closed;

        JavaQueue(QueueSpec spec, int threads) {
            channels = new FileChannel[spec.maxDevices()];
            writable = new boolean[spec.maxDevices()];
            alignments = new int[spec.maxDevices()];
            inFlight = new int[spec.maxDevices()];
            closeWhenIdle = new FileChannel[spec.maxDevices()];
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

        private static FileChannel openDirect(Path file, boolean writable) throws IOException {
            try {
                return writable
                        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, DirectIo.require())
                        : FileChannel.open(file, StandardOpenOption.READ, DirectIo.require());
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
                    op.result = switch (op.kind) {
                        case READ -> read(op);
                        case WRITE -> write(op);
                        default -> flush(op);
                    };
                    done.put(op);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private int read(Op op) {
            ByteBuffer bb = byteBuffers[op.slot];
            bb.clear().limit(op.length);
            FileChannel ch = op.channel;
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

        private int write(Op op) {
            ByteBuffer bb = byteBuffers[op.slot];
            bb.clear().limit(op.length);
            FileChannel ch = op.channel;
            long position = op.offset;
            try {
                while (bb.hasRemaining()) {
                    position += ch.write(bb, position);
                }
                return bb.position();
            } catch (IOException e) {
                return -Errno.guess(e);
            }
        }

        private int flush(Op op) {
            try {
                op.channel.force(false);
                return 0;
            } catch (IOException e) {
                return -Errno.guess(e);
            }
        }

        @Override
        public int attach(DeviceAddress device, boolean writable) throws IOException {
            if (!(device instanceof DeviceAddress.PathDevice(var path))) {
                throw new IOException("java cannot open " + device.describe());
            }
            int handle = -1;
            for (int i = 0; i < channels.length && handle < 0; i++) {
                if (channels[i] == null && closeWhenIdle[i] == null) {
                    handle = i;
                }
            }
            if (handle < 0) {
                throw new IOException(path + ": the queue's device table is full (" + channels.length + ")");
            }
            FileChannel ch = openDirect(path, writable);
            try {
                // the JDK checks O_DIRECT I/O against the file store's block size (f_frsize), not the sector size
                alignments[handle] = Math.max(1, (int) Files.getFileStore(path).getBlockSize());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            this.writable[handle] = writable;
            channels[handle] = ch;
            return handle;
        }

        @Override
        public void detach(int handle) throws IOException {
            FileChannel ch = channel(handle);
            channels[handle] = null;
            if (inFlight[handle] > 0) {
                closeWhenIdle[handle] = ch; // closed when its last I/O is reaped
            } else {
                ch.close();
            }
        }

        private FileChannel channel(int handle) {
            FileChannel ch = handle >= 0 && handle < channels.length ? channels[handle] : null;
            if (ch == null) {
                throw new IllegalArgumentException("no device attached as " + handle);
            }
            return ch;
        }

        @Override
        public int alignment(int handle) {
            channel(handle);
            return alignments[handle];
        }

        @Override
        public MemorySegment buffer(int slot) {
            return buffers[slot];
        }

        @Override
        public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
            stage(READ, tag, fileIndex, offset, length, slot);
        }

        @Override
        public void addWrite(long tag, int fileIndex, long offset, int length, int slot) {
            if (!writable[fileIndex]) {
                throw new IllegalStateException("device " + fileIndex + " was attached read-only");
            }
            stage(WRITE, tag, fileIndex, offset, length, slot);
        }

        @Override
        public void addFlush(long tag, int fileIndex) {
            if (!writable[fileIndex]) {
                throw new IllegalStateException("device " + fileIndex + " was attached read-only");
            }
            stage(FLUSH, tag, fileIndex, 0, 0, 0);
        }

        private void stage(byte kind, long tag, int fileIndex, long offset, int length, int slot) {
            channel(fileIndex);
            if (slot < 0 || slot >= buffers.length || length < 0 || length > buffers[slot].byteSize()
                    || kind != FLUSH && length == 0) {
                throw new IllegalArgumentException("bad descriptor: file " + fileIndex + " slot " + slot + " length " + length);
            }
            Op op = freeOps.poll();
            if (op == null) {
                throw new IllegalStateException("more I/Os staged than the queue depth " + reaped.length);
            }
            op.kind = kind;
            op.channel = channels[fileIndex];
            inFlight[fileIndex]++;
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
            int handle = op.fileIndex;
            op.channel = null;
            freeOps.add(op);
            if (--inFlight[handle] == 0 && closeWhenIdle[handle] != null) {
                FileChannel ch = closeWhenIdle[handle];
                closeWhenIdle[handle] = null;
                try {
                    ch.close();
                } catch (IOException e) {
                    LOG.warn("closing a detached device failed", e);
                }
            }
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
            IOException failure = closeChannels(channels);
            IOException late = closeChannels(closeWhenIdle);
            if (failure == null) {
                failure = late;
            } else if (late != null) {
                failure.addSuppressed(late);
            }
            arena.close();
            if (failure != null) {
                throw failure;
            }
        }

        private static IOException closeChannels(FileChannel[] channels) {
            IOException failure = null;
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
