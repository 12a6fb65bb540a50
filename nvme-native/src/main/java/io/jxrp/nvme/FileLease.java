package io.jxrp.nvme;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * A read lease ({@code fcntl F_SETLEASE F_RDLCK}) on a file, for detecting that its block mapping
 * may have changed under a direct (FIEMAP) read.
 *
 * <p>How it gives XRP's "checked after the read" guarantee: any process that opens the file for
 * writing, or truncates it, first breaks our lease, and the kernel makes that writer <em>block</em>
 * until we {@link #release()} (or {@code /proc/sys/fs/lease-break-time} seconds pass, 45 by
 * default). The break arrives as a signal; the shim's handler bumps {@link #breakCount()}. So a
 * reader that notes {@code breakCount()} before submitting a direct read and compares it after the
 * completion knows whether a writer could have touched the file in between; the owner (the metadata
 * digest) bumps its mapping version, then calls {@link #release()} to let the writer proceed,
 * and later {@link #tryReacquire()} and re-reads the extents. Writes can only start after the
 * version bump, so a read whose count did not change read unchanged blocks.
 *
 * <p>Limits: leases see opens/truncates through the file system, not writes to the raw block
 * device; a lease cannot be taken (EAGAIN) while the file is open for writing anywhere, this
 * process included (open the file read-only elsewhere, e.g. a read-only {@link QueuePair});
 * leases need the file's owner or CAP_LEASE and a local file system. A break can be counted
 * spuriously (never missed), which only costs a retry.
 *
 * <p>Signal: the kernel delivers breaks as SIGRTMIN+3 ({@link #signalNumber()}), whose handler the
 * shim installs once, chaining to any earlier handler for signals that are not ours. HotSpot (JDK
 * 25) uses no real-time signal but SIGRTMAX-2 (NIO interrupts); glibc keeps the two below SIGRTMIN.
 * The shim also handles SIGIO when nobody else does (the kernel falls back to it when it cannot
 * queue a real-time signal; its default action would kill the JVM): it carries no fd, so every
 * lease counts a break. The kernel resets a file's F_SETSIG on F_UNLCK; {@link #tryReacquire()}
 * sets it again.
 *
 * <p>Threading: {@link #breakCount()} from any thread (acquire read); {@link #awaitBreak} from any
 * thread; release/reacquire/close are synchronized.
 */
public final class FileLease implements AutoCloseable {
    private static final VarHandle COUNTER = ValueLayout.JAVA_LONG.varHandle();

    private final Path file;
    private final int id;
    private final Arena arena;
    private final MemorySegment counter;
    private final CloseGuard guard;
    private boolean held = true;

    private FileLease(Path file, int id, Arena arena, MemorySegment counter) {
        this.file = file;
        this.id = id;
        this.arena = arena;
        this.counter = counter;
        this.guard = new CloseGuard("FileLease " + file);
    }

    /**
     * Opens {@code file} read-only and takes a read lease on it.
     *
     * @throws IOException e.g. EAGAIN (open for writing somewhere), EACCES (not the owner, no
     *     CAP_LEASE), EINVAL (the file system has no leases)
     */
    public static FileLease acquire(Path file) throws IOException {
        NvmeNative.ensureLibrary();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
            counter.set(ValueLayout.JAVA_LONG, 0, 0L);
            int id = NativeShim.jxrp_lease_acquire(file.toString(), counter.address());
            if (id < 0) {
                throw NativeErrors.ioException("F_SETLEASE F_RDLCK", file, id);
            }
            return new FileLease(file, id, arena, counter);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The real-time signal lease breaks arrive as (SIGRTMIN+3). */
    public static int signalNumber() {
        NvmeNative.ensureLibrary();
        return NativeShim.jxrp_lease_signal();
    }

    public Path file() {
        return file;
    }

    /**
     * How many lease breaks arrived so far (acquire read: cheap, meant to be called per
     * completion). Throws {@link IllegalStateException} after close.
     */
    public long breakCount() {
        return (long) COUNTER.getAcquire(counter, 0L);
    }

    /**
     * Blocks until a break arrives (or arrived since the last call), at most {@code timeoutNanos}
     * (-1: forever). Returns true when one did, false on timeout or close.
     */
    public boolean awaitBreak(long timeoutNanos) throws IOException {
        guard.acquire();
        try {
            int rc = NativeShim.jxrp_lease_await(id, timeoutNanos < 0 ? -1 : timeoutNanos);
            if (rc < 0) {
                throw NativeErrors.ioException("lease wait on", file, rc);
            }
            return rc == 1 && !guard.isClosed();
        } finally {
            guard.release();
        }
    }

    /** Gives the lease up ({@code F_UNLCK}): a writer blocked on it proceeds. */
    public synchronized void release() throws IOException {
        guard.acquire();
        try {
            int rc = NativeShim.jxrp_lease_set(id, 0);
            if (rc < 0) {
                throw NativeErrors.ioException("F_SETLEASE F_UNLCK", file, rc);
            }
            held = false;
        } finally {
            guard.release();
        }
    }

    /**
     * Takes the read lease again. False (EAGAIN) while someone has the file open for writing;
     * other failures throw.
     */
    public synchronized boolean tryReacquire() throws IOException {
        guard.acquire();
        try {
            int rc = NativeShim.jxrp_lease_set(id, 1);
            if (rc == -11) { // EAGAIN
                return false;
            }
            if (rc < 0) {
                throw NativeErrors.ioException("F_SETLEASE F_RDLCK", file, rc);
            }
            held = true;
            return true;
        } finally {
            guard.release();
        }
    }

    /** True after acquire or a successful {@link #tryReacquire()}, false after {@link #release()}. */
    public synchronized boolean held() {
        return held;
    }

    /** Idempotent: releases the lease, wakes {@link #awaitBreak} waiters, closes the file. */
    @Override
    public void close() {
        if (!guard.markClosed()) {
            return;
        }
        NativeShim.jxrp_lease_wake(id);
        guard.awaitCallsDone();
        synchronized (this) {
            NativeShim.jxrp_lease_close(id);
            held = false;
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "FileLease[" + file + ", breaks=" + (guard.isClosed() ? "?" : breakCount()) + "]";
    }
}
