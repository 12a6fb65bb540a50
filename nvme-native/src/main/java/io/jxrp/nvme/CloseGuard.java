package io.jxrp.nvme;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps native handles alive while a call is using them, so {@code close()} from another thread
 * never frees a ring or fd under a running native call (use after close is an exception, never
 * a crash). One long of state: bit 62 = closed, the low bits count calls in progress. Public for the
 * other native bindings of this module ({@code io.jxrp.nvme.spdk}); not API.
 */
public final class CloseGuard {
    private static final long CLOSED = 1L << 62;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(CloseGuard.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String what;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    public CloseGuard(String what) {
        this.what = what;
    }

    CloseGuard() {
        this("resource");
    }

    /** Enters a call; throws {@link IllegalStateException} when closed. Pair with {@link #release()}. */
    public void acquire() {
        if (!tryAcquire()) {
            throw new IllegalStateException(what + " is closed");
        }
    }

    /** Enters a call unless closed. */
    public boolean tryAcquire() {
        long s;
        do {
            s = (long) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s + 1));
        return true;
    }

    public void release() {
        STATE.getAndAdd(this, -1L);
    }

    /** Cheap check for staging paths (no call in progress is protected by it). */
    public void ensureOpen() {
        if (((long) STATE.getOpaque(this) & CLOSED) != 0) {
            throw new IllegalStateException(what + " is closed");
        }
    }

    public boolean isClosed() {
        return ((long) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /** Marks closed; returns false when it already was (close is idempotent). */
    public boolean markClosed() {
        long s;
        do {
            s = (long) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s | CLOSED));
        return true;
    }

    /** After {@link #markClosed()}: waits until every call in progress has left. */
    public void awaitCallsDone() {
        while (((long) STATE.getVolatile(this) & ~CLOSED) != 0) {
            LockSupport.parkNanos(50_000);
        }
    }
}
