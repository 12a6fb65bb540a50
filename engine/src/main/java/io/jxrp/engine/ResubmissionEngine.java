package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import io.jxrp.engine.digest.MetadataDigest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resubmission engine: XRP's "run the function on the completed block and submit the next read
 * from there", in user space. Each reactor thread owns one queue pair; a completed read goes to the
 * request's {@link StorageFunction}, its next addresses through the {@link MetadataDigest}, and the
 * next reads into the same batch, without returning to the caller between hops.
 *
 * <p>Callers on any thread {@link #submit(XrpRequest) submit} requests and get a {@link CompletableFuture},
 * or {@link #submit(XrpRequest, BiConsumer) hand over a callback}. Both are completed on the reactor
 * thread: a callback, or a dependent stage attached without an executor, runs there and holds up
 * every other request, so keep it short and hand heavy work to an executor. A callback that submits
 * a new request from the reactor thread (a closed loop) queues it on that same reactor directly: no
 * cross-thread hand-off, no wake-up, and the request starts in the same loop iteration's batch.
 *
 * <pre>{@code
 * try (var engine = ResubmissionEngine.open(file, EngineOptions.defaults())) {
 *     XrpResult<Long> r = engine.execute(XrpRequest.of(fn, 0, 512, s -> s.get(JAVA_LONG, 0)));
 * }
 * }</pre>
 */
public final class ResubmissionEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResubmissionEngine.class);

    /** Fallback wait when blocked; a wake-up normally ends it much sooner. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final MetadataDigest digest;
    private final Backends.Selection backend;
    private final EngineOptions options;
    private final int logicalBlockSize;
    private final Reactor[] reactors;
    private final AtomicInteger nextReactor = new AtomicInteger();
    /** Striped: reactors submitting from their callbacks would otherwise contend on one counter. */
    private final LongAdder submitted = new LongAdder();
    private final Histogram latencyTotal = new Histogram(3);
    private volatile boolean closed;

    private ResubmissionEngine(MetadataDigest digest, Backends.Selection backend, EngineOptions options,
                               int logicalBlockSize) throws IOException {
        this.digest = digest;
        this.backend = backend;
        this.options = options;
        this.logicalBlockSize = logicalBlockSize;
        this.reactors = new Reactor[options.reactors()];
        List<Path> files = digest.devicePath().equals(digest.filePath())
                ? List.of(digest.devicePath())
                : List.of(digest.devicePath(), digest.filePath());
        QueueSpec spec = new QueueSpec(files, options.queueDepth(), options.queueDepth(), options.bufferSizeBytes());
        try {
            for (int i = 0; i < reactors.length; i++) {
                reactors[i] = new Reactor(i, backend.backend().open(spec));
            }
        } catch (IOException | RuntimeException e) {
            for (Reactor r : reactors) {
                if (r != null) {
                    r.shutdown(0);
                }
            }
            throw e;
        }
        for (Reactor r : reactors) {
            r.start();
        }
    }

    /** Opens an engine over {@code file} (a regular file or a block device). */
    public static ResubmissionEngine open(Path file, EngineOptions options) throws IOException {
        return open(file, options, Backends.select(options.backend(), options.javaThreads()));
    }

    /**
     * Opens an engine over {@code file} that drives {@code backend} instead of the one the options
     * name, e.g. a fault-injecting wrapper in tests.
     */
    public static ResubmissionEngine open(Path file, EngineOptions options, IoBackend backend) throws IOException {
        return open(file, options, new Backends.Selection(backend, "given by the caller"));
    }

    private static ResubmissionEngine open(Path file, EngineOptions options, Backends.Selection selection)
            throws IOException {
        MetadataDigest digest = Digests.open(file, options.digest());
        try {
            int lbs = DeviceProbe.logicalBlockSize(digest.devicePath());
            if (lbs > options.bufferSizeBytes()) {
                throw new IOException(digest.devicePath() + ": logical block size " + lbs + " exceeds the buffer size "
                        + options.bufferSizeBytes());
            }
            ResubmissionEngine engine = new ResubmissionEngine(digest, selection, options, lbs);
            LOG.info("engine on {}: backend {} ({}), {}, logical block {} B, {} reactor(s) x depth {}",
                    file, selection.backend().name(), selection.reason(), digest.describe(), lbs,
                    options.reactors(), options.queueDepth());
            return engine;
        } catch (IOException | RuntimeException e) {
            digest.close();
            throw e;
        }
    }

    /** Submits a request; the future completes on a reactor thread with the request's result. */
    public <T> CompletableFuture<XrpResult<T>> submit(XrpRequest<T> request) {
        FutureCallback<T> future = new FutureCallback<>();
        submit(request, future);
        return future;
    }

    /**
     * Submits a request; {@code callback} runs exactly once, on a reactor thread, with the result
     * (any {@link Outcome}) and a null failure, or with a null result and the failure (the engine
     * closed or failed, or the request's {@link ScratchReader} or scratch initialiser threw). The
     * cheapest way in: no future, and from a reactor thread no hand-off (see the class comment). An
     * exception thrown by the callback is logged and otherwise ignored.
     */
    public <T> void submit(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback) {
        Thread current = Thread.currentThread();
        Reactor here = null;
        for (Reactor r : reactors) {
            if (r.thread == current) {
                here = r;
                break;
            }
        }
        // from a callback, the request starts when the one it follows finished: no second clock read
        Pending<T> p = new Pending<>(request, callback, here != null ? here.finishNanos : System.nanoTime());
        if (closed) {
            p.fail(new IllegalStateException("engine is closed"));
            return;
        }
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

    /** The backend in use: {@code uring} or {@code java}. */
    public String backendName() {
        return backend.backend().name();
    }

    /** Why that backend was chosen. */
    public String backendReason() {
        return backend.reason();
    }

    public MetadataDigest digest() {
        return digest;
    }

    public long fileSizeBytes() {
        return digest.fileSizeBytes();
    }

    public int logicalBlockSize() {
        return logicalBlockSize;
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
     * complete exceptionally), fails queued ones that never started, and releases the queues.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
        for (Reactor r : reactors) {
            r.shutdown(deadline);
        }
        digest.close();
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

    /** A request waiting in a reactor's inbox. */
    private static final class Pending<T> {
        final XrpRequest<T> request;
        final BiConsumer<? super XrpResult<T>, ? super Throwable> callback;
        final long startNanos;

        Pending(XrpRequest<T> request, BiConsumer<? super XrpResult<T>, ? super Throwable> callback, long startNanos) {
            this.request = request;
            this.callback = callback;
            this.startNanos = startNanos;
        }

        void finish(Outcome outcome, MemorySegment scratch, int hops, long detail, long endNanos) {
            T value;
            try {
                value = request.reader().read(scratch);
            } catch (RuntimeException | Error e) {
                fail(e);
                return;
            }
            deliver(new XrpResult<>(outcome, value, hops, detail, endNanos - startNanos), null);
        }

        void fail(Throwable failure) {
            deliver(null, failure);
        }

        private void deliver(XrpResult<T> result, Throwable failure) {
            try {
                callback.accept(result, failure);
            } catch (RuntimeException | Error e) { // the caller's bug must not stop the reactor
                LOG.warn("a request's completion callback threw; ignored", e);
            }
        }
    }

    /** A request in flight: pooled per reactor slot and reused. */
    private static final class Active {
        final int index;
        /** The slot's whole 4 KiB page. */
        final MemorySegment page;
        /** What the current request sees: the first scratchBytes of the page (a slice kept while the size repeats). */
        MemorySegment scratch;
        Pending<?> pending;
        StorageFunction function;
        int budget;
        int issued;
        int hops;
        int outstanding;
        boolean finished;

        Active(int index, MemorySegment page) {
            this.index = index;
            this.page = page;
            this.scratch = page;
        }
    }

    /**
     * One reactor: owns a queue pair, the context record, the scratch pages and the op table. Every
     * field without a memory-ordering note is touched by the reactor thread only.
     */
    private final class Reactor implements Runnable {
        private static final int IDLE = 0;
        private static final int BLOCKED_IN_QUEUE = 1;
        private static final int PARKED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Reactor.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final int id;
        private final IoQueue queue;
        private final Arena arena = Arena.ofShared();
        private final XrpContext ctx;
        private final Thread thread;
        private final ConcurrentLinkedQueue<Pending<?>> inbox = new ConcurrentLinkedQueue<>();
        /** Requests submitted by this reactor's own thread (callbacks): no hand-off, no wake-up. */
        private final ArrayDeque<Pending<?>> local = new ArrayDeque<>();
        /** Which queue {@link #startRequests} tries first next time. */
        private boolean inboxFirst;

        // request slots
        private final Active[] active;
        private final int[] freeActive;
        private int freeActiveTop;

        // op table: one op per buffer slot (op index == buffer slot), struct of arrays
        private final int[] opRequest;
        private final long[] opLogical;
        private final int[] opSize;
        private final int[] opDelta;
        private final int[] opSpan;
        private final int[] opSlot;
        private final long[] opVersion;
        private final MemorySegment[] opData;
        private final int[] freeOps;
        private int freeOpsTop;
        private int opsInFlight;

        // reads waiting for a free op: ring of (request, logical, size, slot)
        private final int[] waitRequest;
        private final long[] waitLogical;
        private final long[] waitSize;
        private final int[] waitSlot;
        private int waitHead;
        private int waitCount;

        private final int blockMask;
        private final int bufferSize;

        // counters: written by the reactor only (setRelease), read by anyone (get)
        final AtomicLong completed = new AtomicLong();
        final AtomicLong hops = new AtomicLong();
        final AtomicLong[] outcomeCounts = new AtomicLong[Outcome.values().length];
        /** Sized up front (10 minutes at 3 digits) so recording never resizes on the reactor thread. */
        final SingleWriterRecorder latency = new SingleWriterRecorder(TimeUnit.MINUTES.toNanos(10), 3);

        /** When the request being finished on this thread ended (reactor thread only). */
        long finishNanos;
        /** How long to poll before parking, and when the reactor last fell idle (reactor thread only). */
        private final IdleSpin idleSpin = new IdleSpin(options.idleSpinNanos());
        private boolean idle;
        private long idleSinceNanos;

        /** IDLE, BLOCKED_IN_QUEUE or PARKED: set by the reactor (volatile), swapped by submitters. */
        @SuppressWarnings("unused") // accessed through STATE
        private volatile int state;
        private volatile boolean stopping;
        /** Set once the loop has exited: later submissions are failed by the submitter itself. */
        private volatile boolean dead;
        private volatile long drainDeadlineNanos;
        private volatile Throwable failure;

        Reactor(int id, IoQueue queue) {
            this.id = id;
            this.queue = queue;
            this.ctx = new XrpContext(arena);
            int maxRequests = options.maxInflightRequests();
            this.active = new Active[maxRequests];
            this.freeActive = new int[maxRequests];
            MemorySegment scratchSlab = arena.allocate((long) maxRequests * XrpContextDescriptor.SCRATCH_SIZE, 4096);
            for (int i = 0; i < maxRequests; i++) {
                active[i] = new Active(i, scratchSlab.asSlice((long) i * XrpContextDescriptor.SCRATCH_SIZE,
                        XrpContextDescriptor.SCRATCH_SIZE));
                freeActive[i] = maxRequests - 1 - i;
            }
            freeActiveTop = maxRequests;
            int ops = options.queueDepth();
            opRequest = new int[ops];
            opLogical = new long[ops];
            opSize = new int[ops];
            opDelta = new int[ops];
            opSpan = new int[ops];
            opSlot = new int[ops];
            opVersion = new long[ops];
            opData = new MemorySegment[ops];
            freeOps = new int[ops];
            for (int i = 0; i < ops; i++) {
                freeOps[i] = ops - 1 - i;
            }
            freeOpsTop = ops;
            int waitCapacity = maxRequests * XrpContextDescriptor.MAX_NEXT + XrpContextDescriptor.MAX_NEXT;
            waitRequest = new int[waitCapacity];
            waitLogical = new long[waitCapacity];
            waitSize = new long[waitCapacity];
            waitSlot = new int[waitCapacity];
            blockMask = Math.max(logicalBlockSize, queue.alignment()) - 1;
            bufferSize = options.bufferSizeBytes();
            for (int i = 0; i < outcomeCounts.length; i++) {
                outcomeCounts[i] = new AtomicLong();
            }
            this.thread = Thread.ofPlatform().name("jxrp-reactor-" + id).daemon().unstarted(this);
        }

        void start() {
            thread.start();
        }

        void enqueue(Pending<?> p) {
            inbox.offer(p);
            if (dead) {
                rejectQueued(false); // the reactor is gone: nobody else will answer
                return;
            }
            wake();
        }

        /** On the reactor thread only; the loop starts it, or rejects it when stopping or failed. */
        void enqueueLocal(Pending<?> p) {
            local.addLast(p);
        }

        private void wake() {
            int s = (int) STATE.getAndSet(this, IDLE);
            if (s == BLOCKED_IN_QUEUE) {
                queue.wakeup();
            } else if (s == PARKED) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            try {
                loop();
            } catch (Throwable t) {
                failure = t;
                LOG.error("reactor {} failed; failing its requests", id, t);
            } finally {
                dead = true;
                failEverything(failure != null ? failure : new IllegalStateException("engine closed"));
                try {
                    queue.close();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("reactor {}: closing its queue failed", id, e);
                }
                arena.close();
            }
        }

        private void loop() throws IOException {
            while (true) {
                boolean stop = stopping;
                if (stop) {
                    rejectQueued(true);
                    if (opsInFlight == 0 && waitCount == 0 || System.nanoTime() - drainDeadlineNanos > 0) {
                        return;
                    }
                }
                int work = stop ? 0 : startRequests();
                work += issueWaiting();
                if (work > 0 || opsInFlight > 0) {
                    idle = false;
                }
                if (opsInFlight > 0) { // staged reads count as in flight
                    // One native call submits what is staged and, unless more requests can start now,
                    // waits for a completion; a submitter's wake-up ends the wait early.
                    STATE.setVolatile(this, BLOCKED_IN_QUEUE);
                    boolean wait = stopping || freeActiveTop == 0 || local.isEmpty() && inbox.isEmpty();
                    int n = queue.submitAndReap(wait ? 1 : 0, wait ? IDLE_WAIT_NANOS : 0);
                    STATE.setVolatile(this, IDLE);
                    for (int i = 0; i < n; i++) {
                        complete((int) queue.completionTag(i), queue.completionResult(i));
                    }
                } else if (!stop && work == 0 && !spinForWork()) {
                    STATE.setVolatile(this, PARKED);
                    if (inbox.isEmpty() && local.isEmpty() && !stopping) {
                        LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
                    }
                    STATE.setVolatile(this, IDLE);
                    Pending<?> first = inbox.peek();
                    if (first != null) {
                        idleSpin.arrivedAfter(first.startNanos - idleSinceNanos);
                    }
                }
            }
        }

        /** Polls the queues for the idle spin's budget before the reactor parks; true when work arrived. */
        private boolean spinForWork() {
            long now = System.nanoTime();
            if (!idle) { // the idle gap runs from the last work, across parks that timed out
                idle = true;
                idleSinceNanos = now;
            }
            long spin = idleSpin.budgetNanos();
            if (spin == 0) {
                return false;
            }
            long deadline = now + spin;
            do {
                if (!inbox.isEmpty() || !local.isEmpty() || stopping) {
                    idleSpin.polled(true);
                    return true;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - deadline < 0);
            idleSpin.polled(false);
            return false;
        }

        /** Moves requests from the inbox into free slots and issues their first reads. */
        private int startRequests() {
            int started = 0;
            while (freeActiveTop > 0) {
                // the two queues take turns, so neither closed loops nor outside submitters starve the other
                Pending<?> p = inboxFirst ? inbox.poll() : local.pollFirst();
                if (p == null && (p = inboxFirst ? local.pollFirst() : inbox.poll()) == null) {
                    break;
                }
                inboxFirst = !inboxFirst;
                Active a = active[freeActive[--freeActiveTop]];
                a.pending = p;
                a.function = p.request.function();
                a.budget = p.request.hopBudget() > 0 ? p.request.hopBudget() : options.hopBudget();
                a.issued = 0;
                a.hops = 0;
                a.outstanding = 0;
                a.finished = false;
                int scratchBytes = p.request.scratchBytes();
                if (a.scratch.byteSize() != scratchBytes) {
                    a.scratch = a.page.asSlice(0, scratchBytes);
                }
                a.scratch.fill((byte) 0);
                if (p.request.scratchInit() != null) {
                    try {
                        p.request.scratchInit().accept(a.scratch);
                    } catch (RuntimeException e) {
                        a.finished = true;
                        finishNanos = System.nanoTime();
                        p.fail(e);
                        releaseIfDrained(a);
                        continue;
                    }
                }
                long[] offsets = p.request.offsets();
                int[] sizes = p.request.sizes();
                for (int i = 0; i < offsets.length && !a.finished; i++) {
                    issue(a, offsets[i], sizes[i], i);
                }
                releaseIfDrained(a);
                started++;
            }
            return started;
        }

        /**
         * Checks and issues one read for request {@code a}: budget, bounds, alignment, translation.
         * A read that cannot get an op now waits in the ring and counts as outstanding.
         */
        private void issue(Active a, long logical, long size, int slot) {
            if (a.issued >= a.budget) {
                finish(a, Outcome.BUDGET_EXHAUSTED, logical);
                return;
            }
            long fileSize = digest.fileSizeBytes();
            if (logical < 0 || size <= 0 || size > bufferSize || logical > fileSize - size) {
                finish(a, Outcome.BAD_ADDRESS, logical);
                return;
            }
            long alignedStart = logical & ~(long) blockMask;
            long alignedEnd = (logical + size + blockMask) & ~(long) blockMask;
            if (alignedEnd - alignedStart > bufferSize) {
                finish(a, Outcome.BAD_ADDRESS, logical);
                return;
            }
            a.issued++;
            a.outstanding++;
            if (freeOpsTop == 0) {
                int tail = (waitHead + waitCount) % waitRequest.length;
                waitRequest[tail] = a.index;
                waitLogical[tail] = logical;
                waitSize[tail] = size;
                waitSlot[tail] = slot;
                waitCount++;
                return;
            }
            stage(a, logical, (int) size, slot);
        }

        private void stage(Active a, long logical, int size, int slot) {
            long alignedStart = logical & ~(long) blockMask;
            int span = (int) (((logical + size + blockMask) & ~(long) blockMask) - alignedStart);
            long version = digest.version();
            long device = digest.translate(alignedStart, span);
            int fileIndex = 0;
            if (device == MetadataDigest.THROUGH_FILE) {
                device = alignedStart; // the file itself, opened as file index 1
                fileIndex = 1;
            } else if (device == MetadataDigest.UNAVAILABLE) {
                a.outstanding--;
                finish(a, Outcome.STALE_MAPPING, logical);
                return;
            } else if (device < 0) {
                a.outstanding--;
                finish(a, Outcome.BAD_ADDRESS, logical);
                return;
            }
            int op = freeOps[--freeOpsTop];
            opRequest[op] = a.index;
            opLogical[op] = logical;
            opSize[op] = size;
            opDelta[op] = (int) (logical - alignedStart);
            opSpan[op] = span;
            opSlot[op] = slot;
            opVersion[op] = version;
            opsInFlight++;
            queue.addRead(op, fileIndex, device, span, op);
        }

        /** Issues reads that waited for an op, oldest first. */
        private int issueWaiting() {
            int issued = 0;
            while (waitCount > 0 && freeOpsTop > 0) {
                int h = waitHead;
                waitHead = (waitHead + 1) % waitRequest.length;
                waitCount--;
                Active a = active[waitRequest[h]];
                if (a.finished) {
                    a.outstanding--;
                    releaseIfDrained(a);
                    continue;
                }
                stage(a, waitLogical[h], (int) waitSize[h], waitSlot[h]);
                releaseIfDrained(a);
                issued++;
            }
            return issued;
        }

        /** One completed read: checks, runs the function, issues the next reads. */
        private void complete(int op, int result) {
            Active a = active[opRequest[op]];
            opsInFlight--;
            a.outstanding--;
            try {
                if (a.finished) {
                    return;
                }
                if (result < 0) {
                    finish(a, Outcome.IO_ERROR, result);
                    return;
                }
                if (result < opDelta[op] + opSize[op]) {
                    finish(a, Outcome.IO_ERROR, opLogical[op]);
                    return;
                }
                if (digest.version() != opVersion[op]) {
                    finish(a, Outcome.STALE_MAPPING, opLogical[op]);
                    return;
                }
                a.hops++;
                hops.setRelease(hops.getPlain() + 1);
                ctx.prepare(dataOf(op), opLogical[op], opSlot[op], a.scratch);
                int rc;
                try {
                    rc = a.function.apply(ctx);
                } catch (RuntimeException | StackOverflowError e) {
                    LOG.debug("storage function threw at logical offset {}", opLogical[op], e);
                    rc = Integer.MIN_VALUE;
                } finally {
                    ctx.release();
                }
                if (rc != 0) {
                    finish(a, Outcome.FUNCTION_ERROR, rc);
                    return;
                }
                if (ctx.isDone()) {
                    finish(a, Outcome.OK, -1);
                    return;
                }
                MemorySegment record = ctx.record();
                for (int s = 0; s < XrpContextDescriptor.MAX_NEXT && !a.finished; s++) {
                    long size = record.get(XrpContextLayouts.U64, XrpContextDescriptor.SIZE_OFFSET + (long) s * 8);
                    if (size != 0) {
                        issue(a, record.get(XrpContextLayouts.U64, XrpContextDescriptor.NEXT_ADDR_OFFSET + (long) s * 8), size, s);
                    }
                }
                if (!a.finished && a.outstanding == 0) {
                    finish(a, Outcome.OK, -1); // no branch left
                }
            } finally {
                freeOps[freeOpsTop++] = op;
                releaseIfDrained(a);
            }
        }

        /** The requested bytes inside the op's buffer, as a segment reused while the shape repeats. */
        private MemorySegment dataOf(int op) {
            MemorySegment cached = opData[op];
            long delta = opDelta[op];
            long size = opSize[op];
            MemorySegment buffer = queue.buffer(op);
            if (cached == null || cached.byteSize() != size || cached.address() != buffer.address() + delta) {
                cached = buffer.asSlice(delta, size);
                opData[op] = cached;
            }
            return cached;
        }

        private void finish(Active a, Outcome outcome, long detail) {
            if (a.finished) {
                return;
            }
            a.finished = true;
            long end = System.nanoTime();
            finishNanos = end;
            // counters first: a caller woken by the future must see its own request counted
            latency.recordValue(Math.max(0, end - a.pending.startNanos));
            AtomicLong c = outcomeCounts[outcome.ordinal()];
            c.setRelease(c.getPlain() + 1);
            completed.setRelease(completed.getPlain() + 1);
            a.pending.finish(outcome, a.scratch, a.hops, detail, end);
        }

        /** Returns a finished request's slot once none of its reads is in flight or waiting. */
        private void releaseIfDrained(Active a) {
            if (a.finished && a.outstanding == 0 && a.pending != null) {
                a.pending = null;
                a.function = null;
                freeActive[freeActiveTop++] = a.index;
            }
        }

        /**
         * Fails queued requests (the reactor thread: its local queue too; a callback that submits
         * again from here is failed by this same loop, not by recursion).
         */
        private void rejectQueued(boolean onReactor) {
            Pending<?> p;
            while (onReactor && (p = local.pollFirst()) != null || (p = inbox.poll()) != null) {
                p.fail(new IllegalStateException(failure != null
                        ? "engine reactor failed: " + failure : "engine closed before the request started"));
            }
        }

        private void failEverything(Throwable cause) {
            for (Active a : active) {
                if (a.pending != null && !a.finished) {
                    a.finished = true;
                    a.pending.fail(new IllegalStateException("request still in flight when the engine stopped", cause));
                }
            }
            Pending<?> p;
            while ((p = local.pollFirst()) != null || (p = inbox.poll()) != null) {
                p.fail(new IllegalStateException("engine stopped", cause));
            }
        }

        void shutdown(long deadlineNanos) {
            drainDeadlineNanos = deadlineNanos;
            stopping = true;
            if (thread.getState() == Thread.State.NEW) {
                try {
                    queue.close();
                } catch (IOException e) {
                    LOG.warn("closing queue", e);
                }
                arena.close();
                return;
            }
            wake();
            LockSupport.unpark(thread);
            queue.wakeup();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
