package io.jxrp.bpfkv.io;

import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link BlockWriter} onto a namespace (an {@code spdk:} target) through an engine of its own:
 * buffers go out with {@link ResubmissionEngine#write} and the end is an NVMe FLUSH. The first
 * aligned block, which holds the root, is written last: opening overwrites it with zeros and
 * flushes, and {@link #finish} flushes everything else before writing it and flushing again, so a
 * namespace whose writing stopped part-way never shows a valid root over a mix of old and new blocks.
 */
final class EngineBlockWriter implements BlockWriter {
    /** Each engine write moves up to this much (NVMe/TCP targets take 128 KiB per command by default). */
    private static final int ENGINE_BUFFER_BYTES = 128 << 10;
    private static final int ENGINE_DEPTH = 32;

    private final ResubmissionEngine engine;
    private final Target target;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] buffers;
    private final int bufferSizeBytes;
    /** The first aligned block, held back until {@link #finish}. */
    private final MemorySegment head;

    private EngineBlockWriter(ResubmissionEngine engine, Target target, int bufferCount, int bufferSizeBytes) {
        this.engine = engine;
        this.target = target;
        this.bufferSizeBytes = bufferSizeBytes;
        int alignment = target.ioAlignment();
        this.buffers = new MemorySegment[bufferCount];
        for (int i = 0; i < bufferCount; i++) {
            buffers[i] = arena.allocate(bufferSizeBytes, Math.max(alignment, 4096));
        }
        this.head = arena.allocate(Math.max(alignment, 512), Math.max(alignment, 4096));
    }

    /**
     * Opens {@code spec} writable for a database of {@code databaseBytes} and invalidates its root.
     *
     * @throws FileAlreadyExistsException the namespace's first block is not zero and {@code force} is off
     * @throws IOException the namespace is smaller than the database, or cannot be reached
     */
    static EngineBlockWriter open(TargetSpec spec, long databaseBytes, boolean force, int bufferCount,
                                  int bufferSizeBytes) throws IOException {
        ResubmissionEngine engine = ResubmissionEngine.open(EngineOptions.defaults().withQueueDepth(ENGINE_DEPTH)
                .withMaxInflightRequests(ENGINE_DEPTH).withBufferSizeBytes(ENGINE_BUFFER_BYTES));
        EngineBlockWriter writer = null;
        try {
            Target target = engine.addTarget(spec, TargetOptions.defaults().withWritable(true));
            if (target.sizeBytes() < databaseBytes) {
                throw new IOException(spec + ": the database takes " + databaseBytes + " B (" + DbBuilder.human(databaseBytes)
                        + "), the namespace holds " + target.sizeBytes() + " B (" + DbBuilder.human(target.sizeBytes()) + ")");
            }
            if (bufferSizeBytes % target.ioAlignment() != 0) {
                throw new IllegalArgumentException(spec + ": write buffers of " + bufferSizeBytes
                        + " B are not a multiple of its " + target.ioAlignment() + " B blocks");
            }
            writer = new EngineBlockWriter(engine, target, bufferCount, bufferSizeBytes);
            if (!force && !writer.headIsZero()) {
                throw new FileAlreadyExistsException(spec.toString(), null, "the namespace's first block is not zero "
                        + "(it holds data, perhaps a database); use --force (Options.withForce) to overwrite it");
            }
            writer.head.fill((byte) 0);
            join(engine.write(target, 0, writer.head));
            join(engine.flush(target));
            return writer;
        } catch (IOException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            } else {
                engine.close();
            }
            throw e;
        }
    }

    private boolean headIsZero() throws IOException {
        EngineBlockReader.over(engine, target).read(0, head);
        return head.mismatch(arena.allocate(head.byteSize())) < 0;
    }

    @Override
    public int bufferCount() {
        return buffers.length;
    }

    @Override
    public int bufferSizeBytes() {
        return bufferSizeBytes;
    }

    @Override
    public MemorySegment buffer(int index) {
        return buffers[index];
    }

    @Override
    public CompletableFuture<Void> write(int index, long offset, int lengthBytes) {
        MemorySegment data = buffers[index].asSlice(0, lengthBytes);
        try {
            if (offset > 0) {
                return engine.write(target, offset, data);
            }
            long headBytes = head.byteSize();
            MemorySegment.copy(data, 0, head, 0, Math.min(headBytes, lengthBytes));
            return lengthBytes <= headBytes ? CompletableFuture.completedFuture(null)
                    : engine.write(target, headBytes, data.asSlice(headBytes));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public int alignment() {
        return target.ioAlignment();
    }

    /** The engine's queue reads and writes the device itself: no page cache. */
    @Override
    public boolean direct() {
        return true;
    }

    @Override
    public String describe() {
        return "engine writes (" + target.backendName() + "), the root block last, NVMe flush";
    }

    /** Flushes, writes the root's block, flushes again. The namespace keeps its size. */
    @Override
    public void finish(long fileSizeBytes) throws IOException {
        join(engine.flush(target));
        join(engine.write(target, 0, head));
        join(engine.flush(target));
    }

    @Override
    public void close() {
        try {
            engine.close(); // finishes or fails every write first: no buffer is read after the arena closes
        } finally {
            arena.close();
        }
    }

    private static void join(CompletableFuture<Void> future) throws IOException {
        try {
            future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }
}
