package io.jxrp.bpfkv.io;

import io.jxrp.nvme.NvmeNative;
import io.jxrp.nvme.QueuePair;
import io.jxrp.nvme.QueuePairConfig;
import io.jxrp.nvme.NativeErrors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link BlockWriter} over the native shim's io_uring queue pair: the buffers are the queue pair's
 * registered slab, writes are staged and submitted in batches by one owner thread (the queue
 * pair's rule), which also reaps their completions. Truncation to the exact size and the one
 * fsync go through a FileChannel on the same file at the end.
 */
public final class UringBlockWriter implements BlockWriter {
    /** Alignment of offsets and lengths: safe for 4 KiB-sector devices too. */
    static final int ALIGNMENT = 4096;
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private record Pending(int index, long offset, int length, CompletableFuture<Void> done) {
    }

    private final Path file;
    private final FileChannel syncChannel;
    private final QueuePair queue;
    private final ConcurrentLinkedQueue<Pending> submissions = new ConcurrentLinkedQueue<>();
    private final Thread owner;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private UringBlockWriter(Path file, FileChannel syncChannel, QueuePair queue) {
        this.file = file;
        this.syncChannel = syncChannel;
        this.queue = queue;
        this.owner = Thread.ofPlatform().name("bpfkv-uring-writer").daemon().unstarted(this::loop);
        owner.start();
    }

    static boolean isAvailable() {
        return NvmeNative.isAvailable();
    }

    static Throwable unavailabilityCause() {
        return NvmeNative.unavailabilityCause();
    }

    /** A {@link BlockWriter.Factory}: fails (IOException) where the shim or O_DIRECT is unavailable. */
    public static BlockWriter open(Path file, boolean requireDirect, int bufferCount, int bufferSizeBytes) throws IOException {
        if (!isAvailable()) {
            throw new IOException("native shim unavailable: " + unavailabilityCause());
        }
        if (bufferSizeBytes % ALIGNMENT != 0) {
            throw new IllegalArgumentException("buffer size " + bufferSizeBytes + " is not a multiple of " + ALIGNMENT);
        }
        // the queue pair opens existing files: create (truncate) it first, and keep a channel for the end
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            int depth = Integer.highestOneBit(Math.max(2, bufferCount * 2 - 1));
            QueuePair queue = QueuePair.open(new QueuePairConfig(List.of(file), true, depth, bufferCount, bufferSizeBytes));
            return new UringBlockWriter(file, channel, queue);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public int bufferCount() {
        return queue.bufferCount();
    }

    @Override
    public int bufferSizeBytes() {
        return queue.bufferSizeBytes();
    }

    @Override
    public MemorySegment buffer(int index) {
        return queue.buffer(index);
    }

    @Override
    public CompletableFuture<Void> write(int index, long offset, int lengthBytes) {
        if ((offset | lengthBytes) % ALIGNMENT != 0 || lengthBytes <= 0 || lengthBytes > queue.bufferSizeBytes()
                || index < 0 || index >= queue.bufferCount()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("write of " + lengthBytes + " B from buffer "
                    + index + " at " + offset + " is not aligned to " + ALIGNMENT + " B or does not fit"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Throwable failed = failure;
        if (failed != null || stopping) {
            done.completeExceptionally(new IOException(file + ": writer stopped", failed));
            return done;
        }
        submissions.add(new Pending(index, offset, lengthBytes, done));
        queue.wakeup();
        return done;
    }

    /** The owner thread: stage what arrived, submit and reap in one call, complete the futures. */
    private void loop() {
        Map<Long, Pending> inFlight = new HashMap<>();
        long nextTag = 1;
        try {
            while (!stopping || !inFlight.isEmpty() || !submissions.isEmpty()) {
                Pending pending;
                while ((pending = submissions.poll()) != null) {
                    long tag = nextTag++;
                    inFlight.put(tag, pending);
                    queue.addWrite(tag, 0, pending.offset(), pending.length(), pending.index());
                }
                // wait for a completion, or (nothing in flight) for a write's wake-up, a stop, or a short timeout
                int waitFor = queue.staged() > 0 ? 0 : 1;
                int reaped = queue.submitAndReap(waitFor, inFlight.isEmpty() ? IDLE_WAIT_NANOS : -1);
                for (int i = 0; i < reaped; i++) {
                    Pending done = inFlight.remove(queue.completionTag(i));
                    if (done == null) {
                        continue;
                    }
                    int result = queue.completionResult(i);
                    if (result == done.length()) {
                        done.done().complete(null);
                    } else {
                        done.done().completeExceptionally(new IOException(file + ": write of " + done.length()
                                + " B at offset " + done.offset() + (result < 0 ? " failed: " + NativeErrors.describe(-result)
                                : " was short: " + result + " B")));
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
            IOException cause = new IOException(file + ": io_uring writer failed: " + t, t);
            inFlight.values().forEach(p -> p.done().completeExceptionally(cause));
            Pending pending;
            while ((pending = submissions.poll()) != null) {
                pending.done().completeExceptionally(cause);
            }
        }
    }

    @Override
    public int alignment() {
        return ALIGNMENT;
    }

    @Override
    public boolean direct() {
        return true;
    }

    @Override
    public String describe() {
        return "io_uring O_DIRECT" + (queue.fixedBuffers() ? ", fixed buffers" : "");
    }

    @Override
    public void finish(long fileSizeBytes) throws IOException {
        stopAndJoin();
        if (failure != null) {
            throw new IOException(file + ": io_uring writer failed", failure);
        }
        syncChannel.truncate(fileSizeBytes);
        syncChannel.force(true);
    }

    private void stopAndJoin() throws IOException {
        stopping = true;
        queue.wakeup();
        try {
            owner.join(TimeUnit.HOURS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted while waiting for writes", e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stopAndJoin();
        } finally {
            try {
                queue.close(); // drains anything in flight before freeing the buffers
            } finally {
                syncChannel.close();
            }
        }
    }
}
