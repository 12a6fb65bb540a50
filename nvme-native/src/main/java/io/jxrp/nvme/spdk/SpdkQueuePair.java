package io.jxrp.nvme.spdk;

import io.jxrp.nvme.CloseGuard;
import io.jxrp.nvme.CompletionDescriptor;
import io.jxrp.nvme.SubmissionDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue pair over SPDK's NVMe driver with the io_uring {@link io.jxrp.nvme.QueuePair}'s
 * contract: a slab of DMA buffers ({@code spdk_zmalloc}), namespaces attached and detached while it
 * runs (one SPDK I/O qpair per controller, allocated on the first attach), and ONE native call per
 * batch that submits the staged descriptors and reaps completions. It polls: no interrupts, no
 * sleep in the kernel, so {@link #submitAndReap} with a wait spins in native code.
 *
 * <p>Offsets and lengths are bytes and must be multiples of the namespace's sector size
 * (else that descriptor completes with {@code -EINVAL}); a read past the end is short, a write
 * past it {@code -ENOSPC}. A failed controller (target killed, connection lost) completes the I/O
 * in flight on it with {@code -EIO} and later I/O with {@code -ENXIO}; nothing hangs. A target that
 * stops answering is failed the same way once an I/O is older than {@code -Djxrp.spdk.ioTimeoutMillis}
 * (default 30 s, read when a queue pair opens), its I/O in flight completing with {@code -ETIMEDOUT}.
 *
 * <p>Threading: one owner thread attaches, detaches, stages, submits and reads completions (an SPDK
 * qpair is single-threaded). {@link #wakeup()} and {@link #close()} may be called from any thread;
 * close wakes the owner, waits for its native call to return, drains in-flight I/O, frees the
 * qpairs and only then the slab. After close, every method but {@code close} and {@code wakeup}
 * throws {@link IllegalStateException}.
 */
public final class SpdkQueuePair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpdkQueuePair.class);
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Default of {@code jxrp.spdk.ioTimeoutMillis}: an I/O older than this fails its controller's qpair. */
    public static final long DEFAULT_IO_TIMEOUT_MILLIS = 30_000;
    public static final int MAX_DEPTH = 65536;
    public static final int BUFFER_ALIGNMENT = 4096;


    private final int depth;
    private final int bufferCount;
    private final int bufferSizeBytes;
    private final int stagingCapacity;
    private final Arena arena;
    private final MemorySegment[] buffers;
    private final MemorySegment descriptors;
    private final MemorySegment completions;
    private final long descriptorsAddress;
    private final long completionsAddress;
    private final long handle;
    private final CloseGuard guard;
    /** Owner thread only: attached namespaces by handle (null = free). */
    private final List<Attachment> attachments = new ArrayList<>();
    private int staged;

    private record Attachment(SpdkController controller, long ctrlrHandle, NamespaceInfo namespace) {}

    private SpdkQueuePair(int depth, int bufferCount, int bufferSizeBytes, Arena arena, MemorySegment slab,
                          long handle) {
        this.depth = depth;
        this.bufferCount = bufferCount;
        this.bufferSizeBytes = bufferSizeBytes;
        this.stagingCapacity = bufferCount + depth;
        this.arena = arena;
        this.buffers = new MemorySegment[bufferCount];
        for (int i = 0; i < bufferCount; i++) {
            buffers[i] = slab.asSlice((long) i * bufferSizeBytes, bufferSizeBytes);
        }
        this.descriptors = arena.allocate((long) stagingCapacity * SubmissionDescriptor.LENGTH,
                SubmissionDescriptor.ALIGNMENT);
        this.completions = arena.allocate((long) depth * CompletionDescriptor.LENGTH, CompletionDescriptor.ALIGNMENT);
        this.descriptorsAddress = descriptors.address();
        this.completionsAddress = completions.address();
        this.handle = handle;
        this.guard = new CloseGuard("SPDK queue pair");
    }

    /**
     * Creates a queue pair of {@code depth} request slots (1..65536) and a slab of
     * {@code bufferCount} buffers of {@code bufferSizeBytes} (a multiple of 4096) in SPDK's DMA
     * memory, setting up SPDK's environment first if this is the process's first use.
     *
     * @throws IOException {@code ENOMEM}: the environment's memory is too small for the slab
     */
    public static SpdkQueuePair open(int depth, int bufferCount, int bufferSizeBytes) throws IOException {
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be in 1.." + MAX_DEPTH + ", got " + depth);
        }
        if (bufferCount < 1 || bufferSizeBytes < BUFFER_ALIGNMENT || bufferSizeBytes % BUFFER_ALIGNMENT != 0) {
            throw new IllegalArgumentException("need >= 1 buffers of a positive multiple of " + BUFFER_ALIGNMENT
                    + " bytes, got " + bufferCount + " x " + bufferSizeBytes);
        }
        long slabBytes = (long) bufferCount * bufferSizeBytes;
        if (slabBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("slab of " + bufferCount + " x " + bufferSizeBytes + " B is too large");
        }
        Spdk.ensureAvailable();
        Spdk.ensureEnv(false);
        long handle = SpdkShim.jxrp_spdk_qp_create(depth, bufferCount, bufferSizeBytes);
        if (handle < 0) {
            throw SpdkErrors.ioException("SPDK queue pair (depth " + depth + ", slab " + slabBytes + " B)", null, handle,
                    "the SPDK environment's memory may be too small: -Djxrp.spdk.memSizeMb");
        }
        SpdkShim.jxrp_spdk_qp_set_io_timeout(handle,
                TimeUnit.MILLISECONDS.toNanos(Long.getLong("jxrp.spdk.ioTimeoutMillis", DEFAULT_IO_TIMEOUT_MILLIS)));
        MemorySegment slab = slab(handle, slabBytes);
        Arena arena = Arena.ofShared();
        try {
            return new SpdkQueuePair(depth, bufferCount, bufferSizeBytes, arena, slab, handle);
        } catch (RuntimeException | Error e) {
            arena.close();
            SpdkShim.jxrp_spdk_qp_close(handle, 0);
            throw e;
        }
    }

    @SuppressWarnings("restricted") // the shim's spdk_zmalloc slab, freed only by jxrp_spdk_qp_close
    private static MemorySegment slab(long handle, long slabBytes) {
        return MemorySegment.ofAddress(SpdkShim.jxrp_spdk_qp_slab(handle)).reinterpret(slabBytes);
    }

    /**
     * Attaches namespace {@code nsid} of {@code controller}; owner thread. The queue pair holds the
     * controller (and its keep-alive) until {@link #detach}, even if the {@code SpdkController}
     * is closed meanwhile.
     *
     * @return the handle descriptors name it by
     * @throws IOException {@code ENOENT} no such active namespace, {@code ENXIO} the controller failed
     */
    public int attach(SpdkController controller, int nsid) throws IOException {
        guard.acquire();
        long ctrlr = controller.acquireHandle();
        try {
            NamespaceInfo namespace = controller.namespace(nsid);
            int rc = SpdkShim.jxrp_spdk_qp_attach(handle, ctrlr, nsid);
            if (rc < 0) {
                throw SpdkErrors.ioException("attach namespace " + Integer.toUnsignedString(nsid) + " of",
                        controller.transportId().controllerString(), rc, null);
            }
            KeepAlive.acquire(ctrlr, controller.transportId().controllerString());
            while (attachments.size() <= rc) {
                attachments.add(null);
            }
            attachments.set(rc, new Attachment(controller, ctrlr, namespace));
            return rc;
        } finally {
            controller.releaseHandle();
            guard.release();
        }
    }

    /**
     * Detaches a handle; owner thread, with none of its I/O in flight.
     *
     * @throws IOException {@code EBUSY} while it has I/O in flight
     * @throws IllegalArgumentException not an attached handle
     */
    public void detach(int target) throws IOException {
        guard.acquire();
        try {
            Attachment a = attachment(target);
            // keep-alive lets go first: the detach may drop the last native reference
            KeepAlive.release(a.ctrlrHandle());
            int rc = SpdkShim.jxrp_spdk_qp_detach(handle, target);
            if (rc < 0) {
                KeepAlive.acquire(a.ctrlrHandle(), a.controller().transportId().controllerString());
                throw SpdkErrors.ioException("detach namespace " + a.namespace().nsid() + " of",
                        a.controller().transportId().controllerString(), rc, null);
            }
            attachments.set(target, null);
        } finally {
            guard.release();
        }
    }

    /** Facts of the namespace behind an attached handle. */
    public NamespaceInfo namespace(int target) {
        return attachment(target).namespace();
    }

    private Attachment attachment(int target) {
        Attachment a = target >= 0 && target < attachments.size() ? attachments.get(target) : null;
        if (a == null) {
            throw new IllegalArgumentException("handle " + target + " is not attached");
        }
        return a;
    }

    /** Buffer {@code slot}: {@code bufferSizeBytes} bytes of DMA memory, 4096-aligned. */
    public MemorySegment buffer(int slot) {
        guard.ensureOpen();
        checkSlot(slot);
        return buffers[slot];
    }

    public int bufferCount() {
        return bufferCount;
    }

    public int bufferSizeBytes() {
        return bufferSizeBytes;
    }

    /** Request slots; also the most completions one {@link #submitAndReap} reports. */
    public int depth() {
        return depth;
    }

    /** How many descriptors can be staged at once ({@code bufferCount + depth}). */
    public int stagingCapacity() {
        return stagingCapacity;
    }

    /**
     * Stages a read of {@code length} bytes at byte {@code offset} of attached namespace
     * {@code target} into buffer {@code slot}. No native call; the shim checks sector alignment.
     *
     * @throws IllegalArgumentException bad slot, length or a reserved tag
     * @throws IllegalStateException the staging area is full or the queue pair is closed
     */
    public void addRead(long tag, int target, long offset, int length, int slot) {
        stage(tag, target, offset, length, slot, SubmissionDescriptor.OP_READ);
    }

    /** Like {@link #addRead} but writes the slot's buffer to the namespace. */
    public void addWrite(long tag, int target, long offset, int length, int slot) {
        stage(tag, target, offset, length, slot, SubmissionDescriptor.OP_WRITE);
    }

    /** Stages an NVMe FLUSH of {@code target}: the writes completed before it are durable. */
    public void addFlush(long tag, int target) {
        stage(tag, target, 0, 0, 0, SubmissionDescriptor.OP_FLUSH);
    }

    private void stage(long tag, int target, long offset, int length, int slot, byte op) {
        guard.ensureOpen();
        checkSlot(slot);
        if (length < 0 || length > bufferSizeBytes) {
            throw new IllegalArgumentException("length " + length + " not in 0.." + bufferSizeBytes);
        }
        if (SubmissionDescriptor.isReservedTag(tag)) {
            throw new IllegalArgumentException("tag " + tag + " is reserved (-4..-1)");
        }
        int index = staged;
        if (index >= stagingCapacity) {
            throw new IllegalStateException("staging area full (" + stagingCapacity + " descriptors)");
        }
        SubmissionDescriptor.write(descriptors, index, tag, offset, length, slot, target, op);
        staged = index + 1;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= bufferCount) {
            throw new IllegalArgumentException("slot " + slot + " not in 0.." + (bufferCount - 1));
        }
    }

    /** Descriptors staged and not yet handed to SPDK. */
    public int staged() {
        return staged;
    }

    /**
     * One native call: starts the staged descriptors (as many as free request slots allow; the rest
     * stay staged, see {@link #staged()}), then polls until at least {@code minComplete} completions
     * are there (fewer when less is outstanding), a {@link #wakeup()} arrives, or
     * {@code timeoutNanos} passed (-1: no limit). Polling spins on this thread.
     *
     * @return completions reaped, readable with {@link #completionTag}/{@link #completionResult}
     *     until the next call
     */
    public int submitAndReap(int minComplete, long timeoutNanos) {
        guard.acquire();
        try {
            int count = staged;
            long packed = SpdkShim.jxrp_spdk_qp_submit_and_reap(handle, descriptorsAddress, count, completionsAddress,
                    depth, Math.max(0, minComplete), timeoutNanos < 0 ? -1 : timeoutNanos);
            if (packed < 0) { // only bad arguments, which Java does not pass
                throw new IllegalStateException(SpdkErrors.ioException("SPDK submit/reap", null, packed, null));
            }
            int consumed = (int) (packed >>> 32);
            int remaining = count - consumed;
            if (remaining > 0 && consumed > 0) {
                MemorySegment.copy(descriptors, (long) consumed * SubmissionDescriptor.LENGTH, descriptors, 0,
                        (long) remaining * SubmissionDescriptor.LENGTH);
            }
            staged = remaining;
            return (int) packed;
        } finally {
            guard.release();
        }
    }

    /** Tag of completion {@code i} of the last {@link #submitAndReap}. */
    public long completionTag(int i) {
        return CompletionDescriptor.tag(completions, i);
    }

    /** Result of completion {@code i}: bytes transferred ({@code >= 0}) or {@code -errno}. */
    public int completionResult(int i) {
        return CompletionDescriptor.result(completions, i);
    }

    /** I/O handed to SPDK and not completed yet. */
    public int inflight() {
        guard.acquire();
        try {
            return SpdkShim.jxrp_spdk_qp_inflight(handle);
        } finally {
            guard.release();
        }
    }

    /** Makes a polling (or the next) {@link #submitAndReap} return promptly. Any thread; no-op after close. */
    public void wakeup() {
        if (!guard.tryAcquire()) {
            return;
        }
        try {
            SpdkShim.jxrp_spdk_qp_wakeup(handle);
        } finally {
            guard.release();
        }
    }

    /**
     * Idempotent. Wakes the owner, waits for its native call to return, polls in-flight I/O to
     * completion (up to 30 s; what is left then is aborted), frees the SPDK qpairs, releases the
     * controllers and frees the slab.
     */
    @Override
    public void close() {
        if (!guard.markClosed()) {
            return;
        }
        SpdkShim.jxrp_spdk_qp_wakeup(handle);
        guard.awaitCallsDone();
        // keep-alive lets go first: the close drops the queue pair's native controller references
        for (Attachment a : attachments) {
            if (a != null) {
                KeepAlive.release(a.ctrlrHandle());
            }
        }
        attachments.clear();
        int aborted = SpdkShim.jxrp_spdk_qp_close(handle, DRAIN_TIMEOUT_NANOS);
        if (aborted > 0) {
            LOG.warn("SPDK queue pair closed with {} I/O still in flight after 30 s: aborted", aborted);
        }
        arena.close();
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    @Override
    public String toString() {
        return "SpdkQueuePair[depth=" + depth + ", buffers=" + bufferCount + "x" + bufferSizeBytes
                + (isClosed() ? ", closed" : "") + "]";
    }
}
