package io.jxrp.bpfkv.io;

import io.jxrp.bpfkv.EngineOutcomeException;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.StorageFunction;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.XrpContextDescriptor;
import io.jxrp.engine.XrpRequest;
import io.jxrp.engine.XrpResult;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@link BlockReader} over an engine target: the reads of a database that has no pread path (an
 * NVMe namespace served by SPDK), for what runs outside the storage functions — finding the layer
 * count, checking the root, loading the cached levels, and re-checking the path of a failed
 * request. Each read is split into engine requests of at most 4 KiB (one block copied into the
 * request's scratch), all in flight at once. A request that ends with any outcome but OK fails the
 * read with an {@link EngineOutcomeException} naming the offset. Thread-safe; never call it on a
 * reactor thread (a storage function's callback), which it would wait for.
 */
public final class EngineBlockReader implements BlockReader {
    /** The largest engine request: a scratch page. */
    static final int MAX_REQUEST_BYTES = XrpContextDescriptor.SCRATCH_SIZE;

    /** Copies the block it is given into the scratch and ends. */
    private static final StorageFunction COPY_BLOCK = ctx -> {
        MemorySegment data = ctx.data();
        MemorySegment.copy(data, 0, ctx.scratch(), 0, data.byteSize());
        ctx.setDone();
        return 0;
    };

    private final ResubmissionEngine engine;
    private final Target target;
    /** The engine was opened for this reader alone, and closes with it. */
    private final boolean ownsEngine;

    private EngineBlockReader(ResubmissionEngine engine, Target target, boolean ownsEngine) {
        if (target.ioAlignment() > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException(target.spec() + ": " + target.ioAlignment() + " B blocks are larger than"
                    + " an engine request's scratch (" + MAX_REQUEST_BYTES + " B)");
        }
        this.engine = engine;
        this.target = target;
        this.ownsEngine = ownsEngine;
    }

    /** Reads {@code target} through {@code engine}, which stays open when this reader closes. */
    public static EngineBlockReader over(ResubmissionEngine engine, Target target) {
        return new EngineBlockReader(engine, target, false);
    }

    /** Opens an engine with {@code options} on {@code spec} alone, closed with the reader. */
    public static EngineBlockReader open(TargetSpec spec, EngineOptions options) throws IOException {
        ResubmissionEngine engine = ResubmissionEngine.open(spec, options);
        try {
            return new EngineBlockReader(engine, engine.defaultTarget(), true);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    public Target target() {
        return target;
    }

    @Override
    public int read(long offset, MemorySegment destination) throws IOException {
        int alignment = alignment();
        if ((offset | destination.byteSize()) % alignment != 0) {
            throw new IllegalArgumentException("read of " + destination.byteSize() + " B at " + offset
                    + " is not aligned to " + alignment + " B");
        }
        long size = target.sizeBytes();
        long length = Math.max(0, Math.min(destination.byteSize(), size - offset));
        List<CompletableFuture<XrpResult<byte[]>>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += MAX_REQUEST_BYTES) {
            int part = (int) Math.min(MAX_REQUEST_BYTES, length - done);
            parts.add(engine.submit(XrpRequest.of(target, COPY_BLOCK, offset + done, part,
                    scratch -> scratch.toArray(ValueLayout.JAVA_BYTE)).withScratchBytes(part).withHopBudget(1)));
        }
        IOException failure = null;
        for (int i = 0; i < parts.size(); i++) {
            long partOffset = offset + (long) i * MAX_REQUEST_BYTES;
            XrpResult<byte[]> result;
            try {
                result = parts.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(name() + ": interrupted reading at offset " + partOffset);
            } catch (ExecutionException | CancellationException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RuntimeException r) {
                    throw r; // the engine or the target is closed: IllegalStateException
                }
                throw new IOException(name() + ": read at offset " + partOffset + " failed: " + cause, cause);
            }
            if (!result.ok()) {
                if (failure == null) { // the first failed part; the others are waited for all the same
                    failure = new EngineOutcomeException(name(), "read of " + Math.min(MAX_REQUEST_BYTES,
                            length - (long) i * MAX_REQUEST_BYTES) + " B", result.outcome(), result.detail(),
                            partOffset, null);
                }
                continue;
            }
            MemorySegment.copy(MemorySegment.ofArray(result.value()), 0, destination, (long) i * MAX_REQUEST_BYTES,
                    result.value().length);
        }
        if (failure != null) {
            throw failure;
        }
        return (int) length;
    }

    /** The target's I/O alignment: its logical block size. */
    @Override
    public int alignment() {
        return target.ioAlignment();
    }

    /** The engine reads the device itself: no page cache. */
    @Override
    public boolean direct() {
        return true;
    }

    /** The path of a path target; null for a namespace. */
    @Override
    public Path file() {
        return target.spec().path();
    }

    @Override
    public String name() {
        return target.spec().toString();
    }

    @Override
    public long sizeBytes() {
        return target.sizeBytes();
    }

    @Override
    public boolean rawDevice() {
        return target.spec().isSpdk();
    }

    @Override
    public void close() {
        if (ownsEngine) {
            engine.close();
        }
    }
}
