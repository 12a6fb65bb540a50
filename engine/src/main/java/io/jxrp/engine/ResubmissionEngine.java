package io.jxrp.engine;

import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.DeviceInfo;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.digest.FiemapDigest;
import io.jxrp.engine.digest.IdentityDigest;
import io.jxrp.engine.digest.MetadataDigest;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resubmission engine: XRP's "run the function on the completed block and submit the next read
 * from there", in user space. Its unit is the device queue, not the file: each reactor thread owns
 * one queue per backend in use, and any number of {@link Target targets} (files, block devices, NVMe
 * namespaces) attach to those queues while it runs. A completed read goes to the request's
 * {@link StorageFunction}, its next addresses through the target's metadata digest, and the next
 * reads into the same batch, without returning to the caller between hops.
 *
 * <p>Callers on any thread {@link #submit(XrpRequest) submit} requests and get a {@link CompletableFuture},
 * or {@link #submit(XrpRequest, BiConsumer) hand over a callback}. Both are completed on the reactor
 * thread: a callback, or a dependent stage attached without an executor, runs there and holds up
 * every other request, so keep it short and hand heavy work to an executor. A callback that submits
 * a new request from the reactor thread (a closed loop) queues it on that same reactor directly: no
 * cross-thread hand-off, no wake-up, and the request starts in the same loop iteration's batch.
 *
 * <pre>{@code
 * try (var engine = ResubmissionEngine.open(EngineOptions.defaults())) {
 *     Target kv = engine.addTarget(TargetSpec.parse("data/kv4.db"), TargetOptions.defaults());
 *     XrpResult<Long> r = engine.execute(XrpRequest.of(kv, fn, 0, 512, s -> s.get(JAVA_LONG, 0)));
 * }
 * }</pre>
 *
 * <p>Close: {@link #close()} stops taking requests (later ones fail with {@link IllegalStateException}
 * "engine is closed"), lets those already accepted finish within the drain timeout
 * ({@link EngineOptions#drainTimeoutMillis()}), fails what is left then, and releases the queues.
 */
public final class ResubmissionEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResubmissionEngine.class);

    private final EngineOptions options;
    private final Backends backends;
    /** The backend of each lane index, in order of first use. */
    private final List<IoBackend> laneBackends = new ArrayList<>();
    private final Reactor[] reactors;
    private final AtomicInteger nextReactor = new AtomicInteger();
    private final AtomicInteger nextTargetId = new AtomicInteger();
    private final Map<Integer, Target> targets = new ConcurrentHashMap<>();
    /** Striped: reactors submitting from their callbacks would otherwise contend on one counter. */
    private final LongAdder submitted = new LongAdder();
    private final Histogram latencyTotal = new Histogram(3);
    private volatile Target defaultTarget;
    private volatile boolean closed;

    private ResubmissionEngine(EngineOptions options, IoBackend given) {
        this.options = options;
        this.backends = new Backends(given, options.javaThreads());
        this.reactors = new Reactor[options.reactors()];
        for (int i = 0; i < reactors.length; i++) {
            reactors[i] = new Reactor(i, options);
        }
        for (Reactor r : reactors) {
            r.start();
        }
    }

    /** Opens an engine with no target yet: add them with {@link #addTarget}. */
    public static ResubmissionEngine open(EngineOptions options) {
        return new ResubmissionEngine(options, null);
    }

    /**
     * Opens an engine whose targets all use {@code backend} instead of the ones the options name,
     * e.g. a fault-injecting wrapper in tests.
     */
    public static ResubmissionEngine open(EngineOptions options, IoBackend backend) {
        return new ResubmissionEngine(options, backend);
    }

    /**
     * Opens an engine over one target, {@code file} (a regular file, a block device, or any spec
     * {@link TargetSpec#parse} takes), which becomes its {@link #defaultTarget() default target}.
     */
    public static ResubmissionEngine open(Path file, EngineOptions options) throws IOException {
        return openWithDefault(new ResubmissionEngine(options, null), TargetSpec.of(file));
    }

    /** Like {@link #open(Path, EngineOptions)}, driving {@code backend} (e.g. a fault injector). */
    public static ResubmissionEngine open(Path file, EngineOptions options, IoBackend backend) throws IOException {
        return openWithDefault(new ResubmissionEngine(options, backend), TargetSpec.of(file));
    }

    /**
     * Opens an engine over one target, {@code spec} (a path or an SPDK namespace,
     * {@link TargetSpec#parse}), which becomes its {@link #defaultTarget() default target}.
     */
    public static ResubmissionEngine open(TargetSpec spec, EngineOptions options) throws IOException {
        return openWithDefault(new ResubmissionEngine(options, null), spec);
    }

    /** Like {@link #open(TargetSpec, EngineOptions)}, driving {@code backend}. */
    public static ResubmissionEngine open(TargetSpec spec, EngineOptions options, IoBackend backend)
            throws IOException {
        return openWithDefault(new ResubmissionEngine(options, backend), spec);
    }

    private static ResubmissionEngine openWithDefault(ResubmissionEngine engine, TargetSpec spec) throws IOException {
        try {
            engine.defaultTarget = engine.addTarget(spec, TargetOptions.defaults());
            return engine;
        } catch (IOException | RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    // ---- targets ----

    /** {@link #addTarget(TargetSpec, TargetOptions)} with the engine's backend and digest, read-only. */
    public Target addTarget(Path file) throws IOException {
        return addTarget(TargetSpec.of(file), TargetOptions.defaults());
    }

    /**
     * Attaches a target to every reactor and returns it once requests can use it. Thread-safe, while
     * requests run; not from a reactor thread (a callback), which it would wait for.
     *
     * @throws IOException the device cannot be opened or probed (named in the message)
     * @throws IllegalArgumentException the backend cannot serve this kind of target, or the options
     *     do not fit it (a writable FIEMAP target, a FIEMAP digest on an NVMe namespace)
     * @throws UnsupportedOperationException the chosen backend is not available here (with the reason)
     * @throws IllegalStateException the engine is closed, or this is a reactor thread
     */
    public Target addTarget(TargetSpec spec, TargetOptions targetOptions) throws IOException {
        ensureUsable("addTarget");
        BackendKind kind = targetOptions.backend() != null ? targetOptions.backend() : options.backend();
        DigestKind digestKind = targetOptions.digest() != null ? targetOptions.digest() : options.digest();

        MetadataDigest digest = null;
        DeviceAddress device = spec.device();
        DeviceAddress throughFile = null;
        if (digestKind == DigestKind.FIEMAP) {
            if (!(device instanceof DeviceAddress.PathDevice(var file))) {
                throw new IllegalArgumentException(spec + ": the FIEMAP digest maps a file on a file system; "
                        + "a namespace is read as it is (identity digest)");
            }
            if (targetOptions.writable()) {
                throw new IllegalArgumentException(spec + ": a FIEMAP target reads the device under the file "
                        + "system and cannot be written through; use the identity digest to write");
            }
            if (!Files.exists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            FiemapDigest fiemap = FiemapDigest.open(file);
            digest = fiemap;
            device = new DeviceAddress.PathDevice(fiemap.devicePath());
            throughFile = new DeviceAddress.PathDevice(file);
        }
        // the backend is chosen for the device the digest addresses: under a FIEMAP digest that is the
        // disk under the file system (passthru applies when it is an NVMe namespace)
        Backends.Selection selection;
        IoBackend backend;
        DeviceInfo info;
        boolean growable = false;
        try {
            selection = backends.select(kind, device);
            backend = selection.backend();
            info = backend.probe(device);
            if (digest == null) {
                if (device instanceof DeviceAddress.PathDevice(var file)) {
                    digest = new IdentityDigest(file, info.sizeBytes());
                    growable = Files.isRegularFile(file);
                } else {
                    digest = new IdentityDigest(spec.toString(), info.sizeBytes());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (digest != null) {
                digest.close();
            }
            throw e;
        }
        try {
            BlockVerifier verifier = targetOptions.verifier();
            if (verifier != null) {
                int vb = verifier.blockSizeBytes();
                if (vb < 1 || Integer.bitCount(vb) != 1 || vb > options.bufferSizeBytes()) {
                    throw new IllegalArgumentException("verifier block size " + vb
                            + " must be a power of two up to the buffer size " + options.bufferSizeBytes());
                }
            }
            if (info.logicalBlockSize() > options.bufferSizeBytes()) {
                throw new IOException(spec + ": logical block size " + info.logicalBlockSize()
                        + " exceeds the buffer size " + options.bufferSizeBytes());
            }
            Target target = new Target(nextTargetId.getAndIncrement(), this, spec, backend, selection.reason(),
                    laneOf(backend), digest, device, throughFile, info.logicalBlockSize(), targetOptions.writable(),
                    verifier, growable, reactors.length);
            int alignment = Math.max(info.logicalBlockSize(), verifier == null ? 1 : verifier.blockSizeBytes());
            alignment = Math.max(alignment, attachEverywhere(target));
            if (Integer.bitCount(alignment) != 1 || alignment > options.bufferSizeBytes()) {
                detachEverywhere(target, new IllegalStateException("target " + spec + " refused"));
                throw new IOException(spec + ": reads need an alignment of " + alignment
                        + " bytes, more than the buffer size " + options.bufferSizeBytes());
            }
            target.blockMask = alignment - 1;
            targets.put(target.id, target);
            if (closed) { // closed while attaching: the reactors are gone or going
                targets.remove(target.id);
                throw new IllegalStateException("engine is closed");
            }
            LOG.debug("target {}: backend {} ({}), {}, logical block {} B, alignment {} B, {} reactor(s) x depth {}",
                    spec, backend.name(), selection.reason(), digest.describe(), info.logicalBlockSize(), alignment,
                    reactors.length, options.queueDepth());
            return target;
        } catch (IOException | RuntimeException | Error e) {
            digest.close();
            throw e;
        }
    }

    private synchronized int laneOf(IoBackend backend) {
        for (int i = 0; i < laneBackends.size(); i++) {
            if (laneBackends.get(i) == backend) {
                return i;
            }
        }
        laneBackends.add(backend);
        return laneBackends.size() - 1;
    }

    /** Attaches on every reactor; returns the largest alignment their queues need, or throws and undoes it. */
    private int attachEverywhere(Target target) throws IOException {
        int[] alignments = new int[reactors.length];
        List<CompletableFuture<Void>> attached = new ArrayList<>();
        for (Reactor r : reactors) {
            attached.add(r.control(() -> alignments[r.id] = r.attach(target)));
        }
        Throwable failure = null;
        for (CompletableFuture<Void> f : attached) {
            try {
                f.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            }
        }
        if (failure != null) {
            detachEverywhere(target, new IllegalStateException("target " + target.spec + " failed to attach"));
            if (failure instanceof IOException io) {
                throw io;
            }
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            throw new IOException(target.spec + ": attaching failed", failure);
        }
        int alignment = 1;
        for (int a : alignments) {
            alignment = Math.max(alignment, a);
        }
        return alignment;
    }

    private void detachEverywhere(Target target, Throwable cause) {
        List<CompletableFuture<Void>> detached = new ArrayList<>();
        for (Reactor r : reactors) {
            detached.add(r.control(() -> r.detach(target, cause)));
        }
        for (CompletableFuture<Void> f : detached) {
            try {
                f.join();
            } catch (CompletionException e) {
                LOG.warn("detaching {} failed", target.spec, e.getCause());
            }
        }
    }

    /**
     * Detaches {@code target}: refuses new requests for it at once, lets the ones already accepted
     * finish (up to the drain timeout; what is left then fails with {@link IllegalStateException}),
     * closes its devices on every reactor and its digest. Idempotent; not from a reactor thread.
     */
    public void removeTarget(Target target) {
        if (target.engine != this) {
            throw new IllegalArgumentException(target + " belongs to another engine");
        }
        synchronized (target) {
            if (target.closing) {
                return;
            }
            target.closing = true;
        }
        if (onReactorThread()) {
            throw new IllegalStateException("removeTarget from a reactor thread would wait for itself");
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        while (target.active.get() > 0 && System.nanoTime() - deadline < 0 && !closed) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        detachEverywhere(target, new IllegalStateException("target " + target.spec + " was closed while the request ran"));
        targets.remove(target.id);
        if (defaultTarget == target) {
            defaultTarget = null;
        }
        target.digest.close();
    }

    /** The targets attached now. */
    public List<Target> targets() {
        return List.copyOf(targets.values());
    }

    /** The target {@link #open(Path, EngineOptions)} attached, which requests without a target use; or null. */
    public Target defaultTarget() {
        return defaultTarget;
    }

    // ---- requests ----

    /** Submits a request; the future completes on a reactor thread with the request's result. */
    public <T> CompletableFuture<XrpResult<T>> submit(XrpRequest<T> request) {
        FutureCallback<T> future = new FutureCallback<>();
        submit(request, future);
        return future;
    }

    /**
     * Submits a request; {@code callback} runs exactly once, on a reactor thread, with the result
     * (any {@link Outcome}) and a null failure, or with a null result and the failure (the engine or
     * the target closed, the request names no target, or the request's {@link ScratchReader} or
     * scratch initialiser threw). The cheapest way in: no future, and from a reactor thread no
     * hand-off (see the class comment). An exception thrown by the callback is logged and ignored.
     */
    public <T> void submit(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback) {
        Reactor here = reactorOfThisThread();
        Target target = request.target() != null ? request.target() : defaultTarget;
        String refusal = closed ? "engine is closed"
                : target == null ? "the request names no target and the engine has no default target"
                : target.engine != this ? "the request's target " + target.spec + " belongs to another engine"
                : target.closing ? "target " + target.spec + " is closed"
                : null;
        if (refusal != null) {
            try {
                callback.accept(null, refusal.startsWith("the request") ? new IllegalArgumentException(refusal)
                        : new IllegalStateException(refusal));
            } catch (RuntimeException | Error e) {
                LOG.warn("a request's completion callback threw; ignored", e);
            }
            return;
        }
        target.active.incrementAndGet();
        // from a callback, the request starts when the one it follows finished: no second clock read
        PendingRequest<T> p = new PendingRequest<>(request, target, callback,
                here != null ? here.finishNanos : System.nanoTime());
        submitted.increment();
        if (here != null) {
            here.enqueueLocal(p);
            return;
        }
        reactors[Math.floorMod(nextReactor.getAndIncrement(), reactors.length)].enqueue(p);
    }

    /** Submits a request and waits for its result. */
    public <T> XrpResult<T> execute(XrpRequest<T> request) throws InterruptedException {
        try {
            return submit(request).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    // ---- writes ----

    /**
     * Writes {@code data} at {@code offset} of a writable target, asynchronously, in buffer-sized
     * chunks through the target's queue (O_DIRECT; on a file it may extend it). The bytes are copied
     * as chunks are staged: keep {@code data} unchanged and alive until the future completes. Writes
     * in flight are not ordered among themselves; a write is durable only after a {@link #flush}
     * submitted after its future completed.
     *
     * @return completes when every byte was written, or exceptionally with an {@link IOException}
     *     naming the target, the offset and the errno
     * @throws IllegalArgumentException the target is read-only, or offset or size are not multiples of
     *     {@link Target#ioAlignment()}, or the range leaves a device
     */
    public CompletableFuture<Void> write(Target target, long offset, MemorySegment data) {
        long size = data.byteSize();
        long mask = target.blockMask;
        if (size <= 0 || offset < 0 || (offset & mask) != 0 || (size & mask) != 0) {
            throw new IllegalArgumentException(target.spec + ": write of " + size + " B at offset " + offset
                    + " is not aligned to " + target.ioAlignment() + " B");
        }
        if (!target.growable && offset > target.sizeBytes() - size) {
            throw new IllegalArgumentException(target.spec + ": write of " + size + " B at offset " + offset
                    + " leaves the device (" + target.sizeBytes() + " B)");
        }
        return enqueueJob(new IoJob(IoJob.WRITE, target, offset, data));
    }

    /**
     * Makes the target's completed writes durable (fdatasync of a file, NVMe FLUSH of a namespace).
     * It covers the writes whose futures completed before it was called.
     */
    public CompletableFuture<Void> flush(Target target) {
        return enqueueJob(new IoJob(IoJob.FLUSH, target, 0, MemorySegment.NULL));
    }

    private CompletableFuture<Void> enqueueJob(IoJob job) {
        Target t = job.target;
        if (t.engine != this) {
            throw new IllegalArgumentException(t + " belongs to another engine");
        }
        if (!t.writable) {
            throw new IllegalArgumentException(t.spec + " was added read-only (TargetOptions.withWritable)");
        }
        if (closed || t.closing) {
            return CompletableFuture.failedFuture(new IllegalStateException(closed ? "engine is closed"
                    : "target " + t.spec + " is closed"));
        }
        t.active.incrementAndGet();
        // one reactor per target: its writes and flushes are staged in the order they came
        reactors[Math.floorMod(t.id, reactors.length)].enqueueJob(job);
        return job.future;
    }

    // ---- the default target, for engines opened on one file ----

    private Target requireDefault() {
        Target t = defaultTarget;
        if (t == null) {
            throw new IllegalStateException("the engine has no default target (opened without a file)");
        }
        return t;
    }

    /** The default target's backend: {@code uring}, {@code java}, {@code passthru}, {@code spdk} or a custom one. */
    public String backendName() {
        return requireDefault().backendName();
    }

    /** Why the default target's backend was chosen. */
    public String backendReason() {
        return requireDefault().backendReason();
    }

    /** The default target's digest. */
    public MetadataDigest digest() {
        return requireDefault().digest();
    }

    /** The default target's size. */
    public long fileSizeBytes() {
        return requireDefault().sizeBytes();
    }

    /** The default target's logical block size. */
    public int logicalBlockSize() {
        return requireDefault().logicalBlockSize();
    }

    public EngineOptions options() {
        return options;
    }

    /** Counters and the latency histogram so far; safe to call while requests run. */
    public EngineStats stats() {
        long completed = 0;
        long hops = 0;
        Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        Histogram copy;
        synchronized (latencyTotal) {
            for (Reactor r : reactors) {
                completed += r.completed.get();
                hops += r.hops.get();
                for (Outcome o : Outcome.values()) {
                    outcomes.merge(o, r.outcomeCounts[o.ordinal()].get(), Long::sum);
                }
                latencyTotal.add(r.latency.getIntervalHistogram());
            }
            copy = latencyTotal.copy();
        }
        long cpu = 0;
        long user = 0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean timed = mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled();
        for (Reactor r : reactors) {
            long c = timed ? mx.getThreadCpuTime(r.thread.threadId()) : -1;
            long u = timed ? mx.getThreadUserTime(r.thread.threadId()) : -1;
            if (c < 0 || u < 0) { // not supported, or the thread has ended
                cpu = user = -1;
                break;
            }
            cpu += c;
            user += u;
        }
        return new EngineStats(submitted.sum(), completed, hops, outcomes, copy, cpu, user);
    }

    /**
     * Stops taking requests, lets in-flight requests finish (up to the drain timeout; any left then
     * complete exceptionally), fails queued ones that never started, releases the queues and closes
     * every target. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        for (Reactor r : reactors) {
            r.shutdown(deadline);
        }
        for (Target t : targets.values()) {
            t.closing = true;
            t.digest.close();
        }
        targets.clear();
    }

    // ---- helpers ----

    private void ensureUsable(String what) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        if (onReactorThread()) {
            throw new IllegalStateException(what + " from a reactor thread would wait for itself");
        }
    }

    private Reactor reactorOfThisThread() {
        Thread current = Thread.currentThread();
        for (Reactor r : reactors) {
            if (r.thread == current) {
                return r;
            }
        }
        return null;
    }

    private boolean onReactorThread() {
        return reactorOfThisThread() != null;
    }

    /** The future of {@link #submit(XrpRequest)}: one object that is both the future and its callback. */
    private static final class FutureCallback<T> extends CompletableFuture<XrpResult<T>>
            implements BiConsumer<XrpResult<T>, Throwable> {
        @Override
        public void accept(XrpResult<T> result, Throwable failure) {
            if (failure != null) {
                completeExceptionally(failure);
            } else {
                complete(result);
            }
        }
    }
}
