package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One io_uring with a slab of 4 KiB-aligned buffers registered as fixed buffers and a registered
 * file table: files and block devices opened {@code O_DIRECT} {@link #attach attach} and
 * {@link #detach detach} while it runs, and descriptors name them by the handle attach returned.
 *
 * <p>Use: stage reads/writes with {@link #addRead}/{@link #addWrite} (no native call), then
 * {@link #submitAndReap} submits them all and reaps completions in ONE native call; read the
 * completions with {@link #completionTag}/{@link #completionResult}.
 *
 * <p>Threading: one owner thread stages, submits and reads completions. {@link #wakeup()} may be
 * called from any thread; {@link #close()} from any thread too (it wakes the owner, waits for its
 * native call to return, drains in-flight I/O and only then frees the memory). After close, every
 * method but {@code close} and {@code wakeup} throws {@link IllegalStateException}.
 *
 * <p>A queue pair {@link #openPassthru opened for passthrough} has a ring with big entries (128-byte
 * SQEs, 32-byte CQEs) and takes NVMe namespaces as well ({@link #attachNamespace}): their reads,
 * writes and flushes become NVMe commands on the namespace's generic char device
 * ({@code IORING_OP_URING_CMD}), bypassing the block layer, with the fixed buffers where the kernel
 * takes them for NVMe commands (Linux 6.1+, {@link #nvmeFixedBuffers()}). Results keep the contract:
 * bytes transferred or {@code -errno}, an NVMe status turned into the errno it stands for.
 *
 * <p>Tags are the caller's; -4..-1 are reserved for the shim's internal requests.
 */
public final class QueuePair implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueuePair.class);
    /** How long close waits for in-flight I/O before giving up and leaking the slab. */
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int EINVAL = 22;
    private static final int EMFILE = 24;
    private static final int EOPNOTSUPP = 95;
    private static final int FLAG_NVME_PASSTHRU = 1;
    private static final int KIND_FILE = 0;
    private static final int KIND_NVME = 1;

    /** Attached files by handle (null where free); touched by the owner thread. */
    private final Path[] attached;
    private final boolean[] attachedWritable;
    /** Logical block size of each attached NVMe namespace by handle, 0 for files. */
    private final int[] lbaBytes;
    private final boolean passthru;
    private final int depth;
    private final int bufferCount;
    private final int bufferSizeBytes;
    private final int stagingCapacity;
    private final Arena arena;
    private final MemorySegment slab;
    /** One slice per slot, built once: buffer(slot) is called per I/O and must not allocate. */
    private final MemorySegment[] buffers;
    private final MemorySegment descriptors;
    private final MemorySegment completions;
    private final long descriptorsAddress;
    private final long completionsAddress;
    private final long handle;
    private final boolean fixedBuffers;
    private final CloseGuard guard;
    private int staged;

    private QueuePair(QueuePairConfig cfg, Arena arena, MemorySegment slab, MemorySegment descriptors,
                      MemorySegment completions, int stagingCapacity, long handle, boolean fixedBuffers,
                      boolean passthru) {
        this.attached = new Path[cfg.maxFiles()];
        this.attachedWritable = new boolean[cfg.maxFiles()];
        this.lbaBytes = new int[cfg.maxFiles()];
        this.passthru = passthru;
        this.depth = cfg.depth();
        this.bufferCount = cfg.bufferCount();
        this.bufferSizeBytes = cfg.bufferSizeBytes();
        this.stagingCapacity = stagingCapacity;
        this.arena = arena;
        this.slab = slab;
        this.buffers = new MemorySegment[cfg.bufferCount()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = slab.asSlice((long) i * cfg.bufferSizeBytes(), cfg.bufferSizeBytes());
        }
        this.descriptors = descriptors;
        this.completions = completions;
        this.descriptorsAddress = descriptors.address();
        this.completionsAddress = completions.address();
        this.handle = handle;
        this.fixedBuffers = fixedBuffers;
        this.guard = new CloseGuard("QueuePair");
    }

    /**
     * Sets up the ring, registers the slab as fixed buffers (falling back to plain reads/writes on
     * the same memory when the kernel refuses, see {@link #fixedBuffers()}) and an empty file table,
     * then attaches the config's files in order (handles 0, 1, ...).
     *
     * @throws IOException naming the path and errno ({@code EINVAL}: the file system does not
     *     support O_DIRECT; {@code EACCES}; ...)
     * @throws UnsupportedOperationException when the shim is unavailable ({@link NvmeNative})
     */
    public static QueuePair open(QueuePairConfig cfg) throws IOException {
        return open(cfg, false);
    }

    /**
     * Like {@link #open} with a ring of big entries that NVMe namespaces can also attach to
     * ({@link #attachNamespace}). Files attach and work as on any queue pair.
     *
     * @throws IOException {@code EINVAL}: the kernel has no big SQEs/CQEs (Linux before 5.19)
     */
    public static QueuePair openPassthru(QueuePairConfig cfg) throws IOException {
        return open(cfg, true);
    }

    private static QueuePair open(QueuePairConfig cfg, boolean passthru) throws IOException {
        NvmeNative.ensureAvailable();
        int stagingCapacity = cfg.bufferCount() + cfg.depth();
        Arena arena = Arena.ofShared();
        QueuePair qp;
        try {
            MemorySegment slab = arena.allocate((long) cfg.bufferCount() * cfg.bufferSizeBytes(),
                    QueuePairConfig.BUFFER_ALIGNMENT);
            MemorySegment descriptors = arena.allocate((long) stagingCapacity * SubmissionDescriptor.LENGTH,
                    SubmissionDescriptor.ALIGNMENT);
            MemorySegment completions = arena.allocate((long) cfg.depth() * CompletionDescriptor.LENGTH,
                    CompletionDescriptor.ALIGNMENT);
            long handle = NativeShim.jxrp_qp_create(cfg.depth(), slab.address(), cfg.bufferCount(),
                    cfg.bufferSizeBytes(), cfg.maxFiles(), passthru ? FLAG_NVME_PASSTHRU : 0);
            if (handle < 0) {
                throw NativeErrors.ioException("io_uring queue pair setup (depth " + cfg.depth()
                        + (passthru ? ", 128-byte SQEs and 32-byte CQEs" : "") + ") for", cfg.files(), handle,
                        passthru && handle == -EINVAL ? "big SQEs/CQEs need Linux 5.19+" : null);
            }
            int fixed = NativeShim.jxrp_qp_fixed_buffers(handle);
            if (fixed < 0) {
                LOG.debug("io_uring_register_buffers refused ({}): plain reads/writes on the same slab",
                        NativeErrors.errnoName(-fixed));
            }
            qp = new QueuePair(cfg, arena, slab, descriptors, completions, stagingCapacity, handle, fixed > 0, passthru);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        try {
            for (Path file : cfg.files()) {
                qp.attach(file, cfg.writable());
            }
        } catch (IOException | RuntimeException | Error e) {
            qp.close();
            throw e;
        }
        return qp;
    }

    /**
     * Opens {@code file} (a file or block device) {@code O_DIRECT}, read-only or read-write, and puts it
     * into the registered file table. Owner thread only; I/O on other files may be in flight.
     *
     * @return the handle descriptors name it by (the lowest free slot of the table)
     * @throws IOException naming the path and errno; {@code EMFILE}: the table is full
     */
    public int attach(Path file, boolean writable) throws IOException {
        guard.acquire();
        try {
            int fd = NativeShim.jxrp_open_direct(file.toString(), writable ? 1 : 0);
            if (fd < 0) {
                throw NativeErrors.ioException("open O_DIRECT " + (writable ? "O_RDWR" : "O_RDONLY"), file, fd,
                        fd == -EINVAL ? "the file system does not support O_DIRECT" : null);
            }
            int slot = NativeShim.jxrp_qp_attach(handle, fd, KIND_FILE);
            if (slot < 0) {
                NativeShim.jxrp_close_fd(fd);
                throw NativeErrors.ioException("io_uring file table update (" + attached.length + " slots) for",
                        file, slot, slot == -EMFILE ? "the queue pair's file table is full" : null);
            }
            attached[slot] = file;
            attachedWritable[slot] = writable;
            lbaBytes[slot] = 0;
            return slot;
        } finally {
            guard.release();
        }
    }

    /**
     * Opens the generic char device of {@code namespace} and puts it into the file table: reads,
     * writes and flushes on the handle become NVMe commands for its namespace ID, at byte offsets
     * into the namespace, in whole logical blocks. Passthrough queue pairs only; owner thread only.
     *
     * @return the handle descriptors name it by
     * @throws IOException naming the device and errno ({@code EACCES}: passthrough not allowed;
     *     {@code EOPNOTSUPP}: a format with metadata; {@code EMFILE}: the table is full)
     * @throws IllegalStateException on a queue pair not opened with {@link #openPassthru}
     */
    public int attachNamespace(NvmeNamespace namespace, boolean writable) throws IOException {
        if (!passthru) {
            throw new IllegalStateException("NVMe namespaces attach to queue pairs opened with openPassthru");
        }
        guard.acquire();
        try {
            Path device = namespace.genericDevice();
            int fd = NativeShim.jxrp_open_nvme(device.toString(), writable ? 1 : 0);
            if (fd < 0) {
                throw NativeErrors.ioException("open " + (writable ? "O_RDWR" : "O_RDONLY"), device, fd);
            }
            int slot = NativeShim.jxrp_qp_attach(handle, fd, KIND_NVME);
            if (slot < 0) {
                NativeShim.jxrp_close_fd(fd);
                throw NativeErrors.ioException("attach NVMe namespace", device, slot, switch (-slot) {
                    case EMFILE -> "the queue pair's file table is full";
                    case EOPNOTSUPP -> "a format with metadata; passthrough reads formats without only";
                    default -> null;
                });
            }
            attached[slot] = device;
            attachedWritable[slot] = writable;
            lbaBytes[slot] = namespace.lbaBytes();
            return slot;
        } finally {
            guard.release();
        }
    }

    /**
     * Whether NVMe commands use the fixed buffers ({@code IORING_URING_CMD_FIXED}, Linux 6.1+, and the
     * slab registered): known once a namespace attached, false before.
     */
    public boolean nvmeFixedBuffers() {
        guard.acquire();
        try {
            return NativeShim.jxrp_qp_nvme_fixed(handle) > 0;
        } finally {
            guard.release();
        }
    }

    /** True for a queue pair opened with {@link #openPassthru}. */
    public boolean isPassthru() {
        return passthru;
    }

    /**
     * Takes file {@code handle} out of the table and closes it; its handle may be reused by the next
     * attach. I/O already submitted on it completes normally. Owner thread only.
     */
    public void detach(int handle) throws IOException {
        guard.acquire();
        try {
            checkAttached(handle);
            int rc = NativeShim.jxrp_qp_detach(this.handle, handle);
            if (rc < 0) {
                throw NativeErrors.ioException("io_uring file table update (detach) for", attached[handle], rc);
            }
            attached[handle] = null;
        } finally {
            guard.release();
        }
    }

    /** Buffer {@code slot}: {@code bufferSizeBytes} bytes, 4096-aligned, shared with the kernel. */
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

    /** Ring entries; also the most completions one {@link #submitAndReap} reports. */
    public int depth() {
        return depth;
    }

    /** True when the slab is registered as io_uring fixed buffers (else plain read/write). */
    public boolean fixedBuffers() {
        return fixedBuffers;
    }

    /** The attached files, in handle order. */
    public List<Path> files() {
        List<Path> list = new ArrayList<>();
        for (Path p : attached) {
            if (p != null) {
                list.add(p);
            }
        }
        return list;
    }

    /** The file attached as {@code handle}, or null. */
    public Path file(int handle) {
        return handle >= 0 && handle < attached.length ? attached[handle] : null;
    }

    /** How many descriptors can be staged at once ({@code bufferCount + depth}). */
    public int stagingCapacity() {
        return stagingCapacity;
    }

    /**
     * Stages a read of {@code length} bytes at {@code offset} of attached file {@code fileIndex} into
     * buffer {@code slot}. No native call. Offsets and lengths on files are passed to the kernel as
     * they are: misaligned ones complete with {@code -EINVAL}. On an NVMe namespace they must cover
     * whole logical blocks (an NVMe command cannot do otherwise).
     *
     * @throws IllegalArgumentException bad fileIndex, slot, length, a reserved tag, or a read or
     *     write of part of a namespace's logical block
     * @throws IllegalStateException the staging area is full or the queue pair is closed
     */
    public void addRead(long tag, int fileIndex, long offset, int length, int slot) {
        stage(tag, fileIndex, offset, length, slot, SubmissionDescriptor.OP_READ);
    }

    /** Like {@link #addRead} but writes the slot's buffer to the file; the file must be attached writable. */
    public void addWrite(long tag, int fileIndex, long offset, int length, int slot) {
        checkWritable(fileIndex);
        stage(tag, fileIndex, offset, length, slot, SubmissionDescriptor.OP_WRITE);
    }

    /**
     * Stages an fdatasync of file {@code fileIndex} (attached writable): it completes with 0 once the
     * writes completed before it are durable, or with {@code -errno}. It orders nothing by itself:
     * stage it after the writes it covers have completed.
     */
    public void addFlush(long tag, int fileIndex) {
        checkWritable(fileIndex);
        stage(tag, fileIndex, 0, 0, 0, SubmissionDescriptor.OP_FLUSH);
    }

    private void checkWritable(int fileIndex) {
        checkAttached(fileIndex);
        if (!attachedWritable[fileIndex]) {
            throw new IllegalStateException(attached[fileIndex] + " was attached read-only");
        }
    }

    private void checkAttached(int fileIndex) {
        if (fileIndex < 0 || fileIndex >= attached.length || attached[fileIndex] == null) {
            throw new IllegalArgumentException("no file attached as " + fileIndex);
        }
    }

    private void stage(long tag, int fileIndex, long offset, int length, int slot, byte op) {
        guard.ensureOpen();
        checkAttached(fileIndex);
        checkSlot(slot);
        if (length < 0 || length > bufferSizeBytes) {
            throw new IllegalArgumentException("length " + length + " not in 0.." + bufferSizeBytes);
        }
        if (SubmissionDescriptor.isReservedTag(tag)) {
            throw new IllegalArgumentException("tag " + tag + " is reserved (-4..-1)");
        }
        int lba = lbaBytes[fileIndex];
        if (lba != 0 && op != SubmissionDescriptor.OP_FLUSH && (length == 0 || offset % lba != 0 || length % lba != 0)) {
            throw new IllegalArgumentException("NVMe commands on " + attached[fileIndex] + " cover whole " + lba
                    + " B logical blocks: offset " + offset + ", length " + length);
        }
        int index = staged;
        if (index >= stagingCapacity) {
            throw new IllegalStateException("staging area full (" + stagingCapacity + " descriptors)");
        }
        SubmissionDescriptor.write(descriptors, index, tag, offset, length, slot, fileIndex, op);
        staged = index + 1;
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= bufferCount) {
            throw new IllegalArgumentException("slot " + slot + " not in 0.." + (bufferCount - 1));
        }
    }

    /** Descriptors staged and not yet handed to the kernel. */
    public int staged() {
        return staged;
    }

    /**
     * One native call: submits the staged descriptors (flushing the submission queue whenever it
     * fills, as long as everything in flight still fits the completion queue of 2 x depth entries;
     * what does not fit stays staged, see {@link #staged()}), then reaps up to {@link #depth()}
     * completions, waiting until at least {@code minComplete} are there (0: no wait), a
     * {@link #wakeup()} arrives, or {@code timeoutNanos} passed (-1: no timeout).
     *
     * @return completions reaped, readable with {@link #completionTag}/{@link #completionResult}
     *     until the next call; 0 after a wake-up or timeout with nothing ready
     * @throws IOException io_uring_enter failed outright (not an I/O error: those are results)
     */
    public int submitAndReap(int minComplete, long timeoutNanos) throws IOException {
        guard.acquire();
        try {
            int count = staged;
            long packed = NativeShim.jxrp_qp_submit_and_reap(handle, descriptorsAddress, count, completionsAddress,
                    depth, Math.max(0, minComplete), timeoutNanos < 0 ? -1 : timeoutNanos);
            if (packed < 0) {
                throw NativeErrors.ioException("io_uring submit/reap on", files(), packed);
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

    /** Result of completion {@code i}: bytes transferred ({@code >= 0}) or {@code -errno}, as in the CQE. */
    public int completionResult(int i) {
        return CompletionDescriptor.result(completions, i);
    }

    /**
     * Makes a blocked (or the next) {@link #submitAndReap} return promptly. Any thread; a no-op
     * after close (wake-ups racing a shutdown are normal, not errors).
     */
    public void wakeup() {
        if (!guard.tryAcquire()) {
            return;
        }
        try {
            int rc = NativeShim.jxrp_qp_wakeup(handle);
            if (rc < 0) { // eventfd write cannot fail on a live eventfd; this would be a shim bug
                throw new IllegalStateException(NativeErrors.ioException("eventfd write for", files(), rc));
            }
        } finally {
            guard.release();
        }
    }

    /**
     * Idempotent. Wakes the owner thread, waits for its native call to return, cancels and drains
     * in-flight I/O (the kernel may still be writing into the slab), tears the ring down, closes
     * the files and only then frees the memory. If I/O is still in flight after 30 s, the slab is
     * leaked rather than freed under the device, and an error is logged.
     */
    @Override
    public void close() {
        if (!guard.markClosed()) {
            return;
        }
        NativeShim.jxrp_qp_wakeup(handle);
        guard.awaitCallsDone();
        int rc = NativeShim.jxrp_qp_close(handle, DRAIN_TIMEOUT_NANOS);
        if (rc < 0) {
            LOG.error("queue pair {}: I/O still in flight after close ({}); leaking its {} B slab instead of freeing it",
                    files(), NativeErrors.errnoName(-rc), slab.byteSize());
            return;
        }
        arena.close();
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    @Override
    public String toString() {
        return "QueuePair" + files() + "[depth=" + depth + ", buffers=" + bufferCount + "x" + bufferSizeBytes
                + (fixedBuffers ? ", fixed" : ", not fixed") + (passthru ? ", passthru" : "") + (isClosed() ? ", closed" : "") + "]";
    }
}
