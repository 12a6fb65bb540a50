package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.QueueSpec;
import io.jxrp.engine.digest.MetadataDigest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.SingleWriterRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reactor thread: owns one queue per backend in use ({@link Lane}), the context record, the
 * request slots and their scratch pages. A completed read goes to its request's
 * {@link StorageFunction}, its next addresses through the target's {@link MetadataDigest}, and the
 * next reads into the same batch, without returning to the caller between hops.
 *
 * <p>Every field without a memory-ordering note is touched by the reactor thread only. Other threads
 * talk to it through its inbox (requests), its job inbox (writes, flushes) and its control queue
 * (attaching and detaching targets), then {@link #wake()} it.
 */
final class Reactor implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Reactor.class);

    /** Fallback wait when blocked; a wake-up normally ends it much sooner. */
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Wait per turn when several interrupt-driven queues have I/O in flight at once (rare). */
    private static final long SHARED_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

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

    final int id;
    private final EngineOptions options;
    private final Arena arena = Arena.ofShared();
    private final XrpContext ctx;
    final Thread thread;
    private final ConcurrentLinkedQueue<PendingRequest<?>> inbox = new ConcurrentLinkedQueue<>();
    /** Requests submitted by this reactor's own thread (callbacks): no hand-off, no wake-up. */
    private final ArrayDeque<PendingRequest<?>> local = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<IoJob> jobInbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Runnable> control = new ConcurrentLinkedQueue<>();
    /** Which queue {@link #startRequests} tries first next time. */
    private boolean inboxFirst;

    /** Lanes by the engine's backend index; null where this reactor has none yet. */
    private Lane[] lanes = new Lane[0];
    /** Ops staged or in flight over all lanes. */
    private int opsInFlight;
    /** Reads waiting for an op and jobs not fully staged, over all lanes. */
    private int waiting;
    /** Round robin over lanes when several interrupt-driven ones are busy. */
    private int nextSharedWait;

    // request slots
    private final RequestSlot[] slots;
    private final int[] freeSlots;
    private int freeSlotsTop;

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
    private final IdleSpin idleSpin;
    private boolean idle;
    private long idleSinceNanos;

    /** IDLE, BLOCKED_IN_QUEUE or PARKED: set by the reactor (volatile), swapped by submitters. */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** The queue the reactor blocks in while BLOCKED_IN_QUEUE, for {@link #wake()}. */
    private volatile IoQueue blockedIn;
    private volatile boolean stopping;
    /** Set once the loop has exited: later submissions are failed by the submitter itself. */
    volatile boolean dead;
    private volatile long drainDeadlineNanos;
    private volatile Throwable failure;

    Reactor(int id, EngineOptions options) {
        this.id = id;
        this.options = options;
        this.ctx = new XrpContext(arena);
        int maxRequests = options.maxInflightRequests();
        this.slots = new RequestSlot[maxRequests];
        this.freeSlots = new int[maxRequests];
        MemorySegment scratchSlab = arena.allocate((long) maxRequests * XrpContextDescriptor.SCRATCH_SIZE, 4096);
        for (int i = 0; i < maxRequests; i++) {
            slots[i] = new RequestSlot(i, scratchSlab.asSlice((long) i * XrpContextDescriptor.SCRATCH_SIZE,
                    XrpContextDescriptor.SCRATCH_SIZE));
            freeSlots[i] = maxRequests - 1 - i;
        }
        freeSlotsTop = maxRequests;
        bufferSize = options.bufferSizeBytes();
        for (int i = 0; i < outcomeCounts.length; i++) {
            outcomeCounts[i] = new AtomicLong();
        }
        idleSpin = new IdleSpin(options.idleSpinNanos());
        this.thread = Thread.ofPlatform().name("jxrp-reactor-" + id).daemon().unstarted(this);
    }

    void start() {
        thread.start();
    }

    // ---- entry points for other threads ----

    void enqueue(PendingRequest<?> p) {
        inbox.offer(p);
        if (dead) {
            rejectQueued(); // the reactor is gone: nobody else will answer
            return;
        }
        wake();
    }

    /** On the reactor thread only; the loop starts it, or rejects it when stopping or failed. */
    void enqueueLocal(PendingRequest<?> p) {
        local.addLast(p);
    }

    void enqueueJob(IoJob job) {
        jobInbox.offer(job);
        if (dead) {
            failJobs(new IllegalStateException("engine is closed"));
            return;
        }
        wake();
    }

    /**
     * Runs {@code task} on the reactor thread at the top of its loop; the future completes when it
     * ran (exceptionally with what it threw, or when the reactor is gone).
     */
    CompletableFuture<Void> control(ThrowingTask task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        control.offer(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        if (dead) {
            drainControl();
        } else {
            wake();
        }
        return done;
    }

    /** A control task: may throw, e.g. when a device cannot be opened. */
    @FunctionalInterface
    interface ThrowingTask {
        void run() throws Exception;
    }

    private void wake() {
        int s = (int) STATE.getAndSet(this, IDLE);
        if (s == BLOCKED_IN_QUEUE) {
            IoQueue q = blockedIn;
            if (q != null) {
                q.wakeup();
            }
        } else if (s == PARKED) {
            LockSupport.unpark(thread);
        }
    }

    // ---- targets (control tasks, reactor thread) ----

    /** Opens {@code t}'s devices on the queue of its backend; returns the alignment the queue needs. */
    int attach(Target t) throws IOException {
        Lane lane = lane(t.lane, t.backend);
        int device = lane.queue.attach(t.device, t.writable);
        int alignment = lane.queue.alignment(device);
        int file = -1;
        if (t.throughFile != null) {
            try {
                file = lane.queue.attach(t.throughFile, false);
                alignment = Math.max(alignment, lane.queue.alignment(file));
            } catch (IOException | RuntimeException e) {
                lane.queue.detach(device);
                throw e;
            }
        }
        t.deviceHandle[id] = device;
        t.fileHandle[id] = file;
        return alignment;
    }

    /** Ends what still runs on {@code t} (with {@code cause}) and closes its devices on this reactor. */
    void detach(Target t, Throwable cause) throws IOException {
        for (RequestSlot a : slots) {
            if (a.pending != null && !a.finished && a.target == t) {
                a.finished = true;
                a.pending.fail(cause);
                releaseIfDrained(a);
            }
        }
        Lane lane = t.lane < lanes.length ? lanes[t.lane] : null;
        if (lane == null) {
            return;
        }
        for (var it = lane.jobs.iterator(); it.hasNext(); ) {
            IoJob j = it.next();
            if (j.target == t && j.staged == 0) {
                it.remove();
                waiting--;
                j.fail(cause);
            }
        }
        IOException failed = null;
        for (int handle : new int[] {t.deviceHandle[id], t.fileHandle[id]}) {
            if (handle >= 0) {
                try {
                    lane.queue.detach(handle);
                } catch (IOException e) {
                    failed = e;
                }
            }
        }
        t.deviceHandle[id] = -1;
        t.fileHandle[id] = -1;
        if (failed != null) {
            throw failed;
        }
    }

    private Lane lane(int index, IoBackend backend) throws IOException {
        if (index >= lanes.length) {
            lanes = Arrays.copyOf(lanes, index + 1);
        }
        Lane lane = lanes[index];
        if (lane == null) {
            int depth = options.queueDepth();
            IoQueue queue = backend.openQueue(new QueueSpec(depth, depth, bufferSize, 2 * options.maxTargets()));
            lane = new Lane(backend, queue, depth, options.maxInflightRequests() * 2 + XrpContextDescriptor.MAX_NEXT);
            lanes[index] = lane;
        }
        return lane;
    }

    // ---- the loop ----

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            failure = t;
            LOG.error("reactor {} failed; failing its requests", id, t);
        } finally {
            dead = true;
            Throwable cause = failure != null ? failure : new IllegalStateException("engine closed");
            failEverything(cause);
            drainControl();
            for (Lane lane : lanes) {
                if (lane != null) {
                    try {
                        lane.queue.close();
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("reactor {}: closing its {} queue failed", id, lane.backend.name(), e);
                    }
                }
            }
            arena.close();
        }
    }

    private void loop() throws IOException {
        while (true) {
            runControl();
            boolean stop = stopping;
            if (stop && System.nanoTime() - drainDeadlineNanos > 0) {
                return; // the drain timeout passed: what is left fails
            }
            // accepted work runs to its end even when stopping (the engine refuses new work then)
            int work = startRequests() + takeJobs();
            work += issueWaiting();
            if (stop && opsInFlight == 0 && waiting == 0 && nothingQueued()) {
                return;
            }
            if (work > 0 || opsInFlight > 0) {
                idle = false;
            }
            if (opsInFlight > 0) { // staged ops count as in flight
                pollLanes();
            } else if (!stop && work == 0 && !spinForWork()) {
                STATE.setVolatile(this, PARKED);
                if (nothingQueued() && !stopping) {
                    LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
                }
                STATE.setVolatile(this, IDLE);
                PendingRequest<?> first = inbox.peek();
                if (first != null) {
                    idleSpin.arrivedAfter(first.startNanos - idleSinceNanos);
                }
            }
        }
    }

    private boolean nothingQueued() {
        return inbox.isEmpty() && local.isEmpty() && jobInbox.isEmpty() && control.isEmpty();
    }

    private void runControl() {
        Runnable task;
        while ((task = control.poll()) != null) {
            task.run();
        }
    }

    /** Runs the control tasks left once the loop is gone (they see the reactor dead and fail cleanly). */
    private void drainControl() {
        Runnable task;
        while ((task = control.poll()) != null) {
            task.run();
        }
    }

    /**
     * One round of I/O: submits what is staged and reaps completions. With one interrupt-driven queue
     * busy (the common case) that is one native call that also waits for a completion, unless more
     * work could start now; a submitter's wake-up ends the wait early. A polled queue (SPDK) is never
     * waited on: the loop spins while it has I/O in flight.
     */
    private void pollLanes() throws IOException {
        boolean wait = stopping || (freeSlotsTop == 0 || local.isEmpty() && inbox.isEmpty())
                && jobInbox.isEmpty() && control.isEmpty();
        Lane only = null;
        int busy = 0;
        boolean polledBusy = false;
        for (Lane lane : lanes) {
            if (lane != null && lane.inFlight > 0) {
                busy++;
                only = lane;
                polledBusy |= lane.polled;
            }
        }
        if (busy == 1 && !only.polled) {
            blockedIn = only.queue;
            STATE.setVolatile(this, BLOCKED_IN_QUEUE);
            int n = only.queue.submitAndReap(wait ? 1 : 0, wait ? IDLE_WAIT_NANOS : 0);
            STATE.setVolatile(this, IDLE);
            completeAll(only, n);
            return;
        }
        int reaped = 0;
        for (Lane lane : lanes) {
            if (lane != null && lane.inFlight > 0) {
                int n = lane.queue.submitAndReap(0, 0);
                completeAll(lane, n);
                reaped += n;
            }
        }
        if (reaped > 0 || !wait) {
            return;
        }
        if (polledBusy) {
            Thread.onSpinWait();
            return;
        }
        // several interrupt-driven queues busy: a short wait on each in turn
        for (int i = 0; i < lanes.length; i++) {
            Lane lane = lanes[(nextSharedWait + i) % lanes.length];
            if (lane != null && lane.inFlight > 0) {
                nextSharedWait = (nextSharedWait + i + 1) % lanes.length;
                blockedIn = lane.queue;
                STATE.setVolatile(this, BLOCKED_IN_QUEUE);
                int n = lane.queue.submitAndReap(1, SHARED_WAIT_NANOS);
                STATE.setVolatile(this, IDLE);
                completeAll(lane, n);
                return;
            }
        }
    }

    private void completeAll(Lane lane, int n) {
        IoQueue queue = lane.queue;
        for (int i = 0; i < n; i++) {
            int op = (int) queue.completionTag(i);
            int result = queue.completionResult(i);
            if (lane.opJob[op] != null) {
                completeJob(lane, op, result);
            } else {
                complete(lane, op, result);
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
            if (!nothingQueued() || stopping) {
                idleSpin.polled(true);
                return true;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() - deadline < 0);
        idleSpin.polled(false);
        return false;
    }

    // ---- requests ----

    /** Moves requests from the inbox into free slots and issues their first reads. */
    private int startRequests() {
        int started = 0;
        while (freeSlotsTop > 0) {
            // the two queues take turns, so neither closed loops nor outside submitters starve the other
            PendingRequest<?> p = inboxFirst ? inbox.poll() : local.pollFirst();
            if (p == null && (p = inboxFirst ? local.pollFirst() : inbox.poll()) == null) {
                break;
            }
            inboxFirst = !inboxFirst;
            RequestSlot a = slots[freeSlots[--freeSlotsTop]];
            a.pending = p;
            a.target = p.target;
            a.function = p.request.function();
            a.budget = p.request.hopBudget() > 0 ? p.request.hopBudget() : options.hopBudget();
            a.issued = 0;
            a.hops = 0;
            a.outstanding = 0;
            a.finished = false;
            if (p.target.deviceHandle[id] < 0) { // detached between submission and start
                a.finished = true;
                p.fail(new IllegalStateException("target " + p.target.spec + " is closed"));
                releaseIfDrained(a);
                continue;
            }
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
     * A read that cannot get an op now waits in its lane's ring and counts as outstanding.
     */
    private void issue(RequestSlot a, long logical, long size, int slot) {
        if (a.issued >= a.budget) {
            finish(a, Outcome.BUDGET_EXHAUSTED, logical, null);
            return;
        }
        Target t = a.target;
        long fileSize = t.digest.fileSizeBytes();
        if (logical < 0 || size <= 0 || size > bufferSize || logical > fileSize - size) {
            finish(a, Outcome.BAD_ADDRESS, logical, null);
            return;
        }
        long mask = t.blockMask;
        long alignedStart = logical & ~mask;
        long alignedEnd = (logical + size + mask) & ~mask;
        if (alignedEnd - alignedStart > bufferSize) {
            finish(a, Outcome.BAD_ADDRESS, logical, null);
            return;
        }
        a.issued++;
        a.outstanding++;
        Lane lane = lanes[t.lane];
        if (lane.freeOpsTop == 0) {
            lane.addWaiting(a, logical, (int) size, slot);
            waiting++;
            return;
        }
        stage(lane, a, logical, (int) size, slot);
    }

    private void stage(Lane lane, RequestSlot a, long logical, int size, int slot) {
        Target t = a.target;
        long mask = t.blockMask;
        long alignedStart = logical & ~mask;
        int span = (int) (((logical + size + mask) & ~mask) - alignedStart);
        MetadataDigest digest = t.digest;
        long version = digest.version();
        long device = digest.translate(alignedStart, span);
        int handle = t.deviceHandle[id];
        // an extent may sit on the device at an offset the queue cannot read aligned (a 1 KiB-block
        // file system under the java backend's 4 KiB O_DIRECT rule): such a range is read through the file
        if (device == MetadataDigest.THROUGH_FILE || device >= 0 && (device & mask) != 0) {
            device = alignedStart; // the file itself
            handle = t.fileHandle[id];
        } else if (device == MetadataDigest.UNAVAILABLE) {
            a.outstanding--;
            finish(a, Outcome.STALE_MAPPING, logical, null);
            return;
        }
        if (device < 0 || handle < 0) {
            a.outstanding--;
            finish(a, Outcome.BAD_ADDRESS, logical, null);
            return;
        }
        int op = lane.takeOp();
        opsInFlight++;
        lane.opRequest[op] = a;
        lane.opTarget[op] = t;
        lane.opLogical[op] = logical;
        lane.opSize[op] = size;
        lane.opDelta[op] = (int) (logical - alignedStart);
        lane.opSpan[op] = span;
        lane.opSlot[op] = slot;
        lane.opVersion[op] = version;
        lane.queue.addRead(op, handle, device, span, op);
    }

    /** Issues reads that waited for an op and stages waiting writes, oldest first. */
    private int issueWaiting() {
        int issued = 0;
        for (Lane lane : lanes) {
            if (lane == null) {
                continue;
            }
            while (lane.waitCount > 0 && lane.freeOpsTop > 0) {
                int h = lane.waitHead;
                lane.waitHead = (h + 1) % lane.waitRequest.length;
                lane.waitCount--;
                waiting--;
                RequestSlot a = lane.waitRequest[h];
                lane.waitRequest[h] = null;
                if (a.finished) {
                    a.outstanding--;
                    releaseIfDrained(a);
                    continue;
                }
                stage(lane, a, lane.waitLogical[h], lane.waitSize[h], lane.waitSlot[h]);
                releaseIfDrained(a);
                issued++;
            }
            issued += stageJobs(lane);
        }
        return issued;
    }

    /** One completed read: checks, verifies, runs the function, issues the next reads. */
    private void complete(Lane lane, int op, int result) {
        RequestSlot a = lane.opRequest[op];
        Target t = lane.opTarget[op];
        opsInFlight--;
        a.outstanding--;
        try {
            if (a.finished) {
                return;
            }
            long logical = lane.opLogical[op];
            int delta = lane.opDelta[op];
            int size = lane.opSize[op];
            if (result < 0) {
                finish(a, Outcome.IO_ERROR, result, null);
                return;
            }
            if (result < delta + size) {
                finish(a, Outcome.IO_ERROR, logical, null);
                return;
            }
            if (t.digest.version() != lane.opVersion[op]) {
                finish(a, Outcome.STALE_MAPPING, logical, null);
                return;
            }
            BlockVerifier verifier = t.verifier;
            if (verifier != null) {
                long vMask = verifier.blockSizeBytes() - 1L;
                long spanStart = logical - delta;
                long vStart = logical & ~vMask;
                long vEnd = Math.min((logical + size + vMask) & ~vMask, spanStart + result);
                long bad = verifier.verify(vStart, lane.queue.buffer(op), vStart - spanStart, vEnd - vStart);
                if (bad >= 0) {
                    finish(a, Outcome.CORRUPT, bad, null);
                    return;
                }
            }
            a.hops++;
            hops.setRelease(hops.getPlain() + 1);
            ctx.prepare(lane.dataOf(op), logical, lane.opSlot[op], a.scratch);
            int rc;
            Throwable thrown = null;
            try {
                rc = a.function.apply(ctx);
            } catch (RuntimeException | StackOverflowError e) {
                LOG.debug("storage function threw at logical offset {}", logical, e);
                rc = Integer.MIN_VALUE;
                thrown = e;
            } finally {
                ctx.release();
            }
            if (rc != 0) {
                finish(a, Outcome.FUNCTION_ERROR, rc, thrown);
                return;
            }
            if (ctx.isDone()) {
                finish(a, Outcome.OK, -1, null);
                return;
            }
            MemorySegment record = ctx.record();
            for (int s = 0; s < XrpContextDescriptor.MAX_NEXT && !a.finished; s++) {
                long nextSize = record.get(XrpContextLayouts.U64, XrpContextDescriptor.SIZE_OFFSET + (long) s * 8);
                if (nextSize != 0) {
                    issue(a, record.get(XrpContextLayouts.U64, XrpContextDescriptor.NEXT_ADDR_OFFSET + (long) s * 8),
                            nextSize, s);
                }
            }
            if (!a.finished && a.outstanding == 0) {
                finish(a, Outcome.OK, -1, null); // no branch left
            }
        } finally {
            lane.releaseOp(op);
            releaseIfDrained(a);
        }
    }

    private void finish(RequestSlot a, Outcome outcome, long detail, Throwable thrown) {
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
        a.pending.finish(outcome, a.scratch, a.hops, detail, end, thrown);
    }

    /** Returns a finished request's slot once none of its reads is in flight or waiting. */
    private void releaseIfDrained(RequestSlot a) {
        if (a.finished && a.outstanding == 0 && a.pending != null) {
            a.pending = null;
            a.target = null;
            a.function = null;
            freeSlots[freeSlotsTop++] = a.index;
        }
    }

    // ---- writes and flushes ----

    /** Moves new jobs into their lanes' queues. */
    private int takeJobs() {
        int taken = 0;
        IoJob job;
        while ((job = jobInbox.poll()) != null) {
            Target t = job.target;
            Lane lane = t.lane < lanes.length ? lanes[t.lane] : null;
            if (lane == null || t.deviceHandle[id] < 0) {
                job.fail(new IllegalStateException("target " + t.spec + " is closed"));
                continue;
            }
            lane.jobs.addLast(job);
            waiting++;
            taken++;
        }
        return taken;
    }

    /** Stages chunks of the lane's waiting jobs while ops are free. */
    private int stageJobs(Lane lane) {
        int staged = 0;
        IoJob job;
        while (lane.freeOpsTop > 0 && (job = lane.jobs.peekFirst()) != null) {
            Target t = job.target;
            int handle = t.deviceHandle[id];
            int op = lane.takeOp();
            opsInFlight++;
            lane.opJob[op] = job;
            lane.opTarget[op] = t;
            if (job.kind == IoJob.FLUSH) {
                lane.opLogical[op] = 0;
                lane.opSize[op] = 0;
                job.staged = 1;
                lane.queue.addFlush(op, handle);
            } else {
                int length = (int) Math.min(bufferSize, job.data.byteSize() - job.staged);
                long offset = job.offset + job.staged;
                MemorySegment.copy(job.data, job.staged, lane.queue.buffer(op), 0, length);
                lane.opLogical[op] = offset;
                lane.opSize[op] = length;
                job.staged += length;
                lane.queue.addWrite(op, handle, offset, length, op);
            }
            job.chunksInFlight++;
            if (job.fullyStaged()) {
                lane.jobs.pollFirst();
                waiting--;
            }
            staged++;
        }
        return staged;
    }

    private void completeJob(Lane lane, int op, int result) {
        IoJob job = lane.opJob[op];
        int expected = lane.opSize[op];
        long offset = lane.opLogical[op];
        opsInFlight--;
        lane.releaseOp(op);
        job.chunkDone(result, expected, offset);
    }

    // ---- stopping ----

    /** Fails what reached the inbox after the loop ended (called by the submitter that saw it dead). */
    private void rejectQueued() {
        PendingRequest<?> p;
        while ((p = inbox.poll()) != null) {
            p.fail(new IllegalStateException(failure != null ? "engine reactor failed: " + failure : "engine is closed"));
        }
    }

    private void failJobs(Throwable cause) {
        IoJob job;
        while ((job = jobInbox.poll()) != null) {
            job.fail(cause);
        }
    }

    private void failEverything(Throwable cause) {
        for (RequestSlot a : slots) {
            if (a.pending != null && !a.finished) {
                a.finished = true;
                a.pending.fail(new IllegalStateException("request still in flight when the engine stopped", cause));
            }
        }
        PendingRequest<?> p;
        while ((p = local.pollFirst()) != null || (p = inbox.poll()) != null) {
            p.fail(new IllegalStateException("engine stopped", cause));
        }
        IllegalStateException stopped = new IllegalStateException("engine stopped before the write or flush ended", cause);
        for (Lane lane : lanes) {
            if (lane == null) {
                continue;
            }
            for (int op = 0; op < lane.opJob.length; op++) {
                IoJob job = lane.opJob[op];
                if (job != null && !job.future.isDone()) {
                    job.chunksInFlight = 0;
                    job.fail(stopped);
                }
            }
            IoJob job;
            while ((job = lane.jobs.pollFirst()) != null) {
                if (!job.future.isDone()) {
                    job.fail(stopped);
                }
            }
        }
        failJobs(stopped);
    }

    /** Asks the loop to finish in-flight work until {@code deadlineNanos}, then waits for the thread to end. */
    void shutdown(long deadlineNanos) {
        drainDeadlineNanos = deadlineNanos;
        stopping = true;
        if (thread.getState() == Thread.State.NEW) {
            dead = true;
            for (Lane lane : lanes) {
                if (lane != null) {
                    try {
                        lane.queue.close();
                    } catch (IOException e) {
                        LOG.warn("closing queue", e);
                    }
                }
            }
            arena.close();
            return;
        }
        wake();
        LockSupport.unpark(thread);
        IoQueue q = blockedIn;
        if (q != null) {
            q.wakeup();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Throwable failure() {
        return failure;
    }
}
