package io.jxrp.engine;

import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * One backend's queue on one reactor, with its op table: one op per buffer slot (op index == buffer
 * slot == the tag the queue reports back), kept as a struct of arrays; reads that found no free op
 * wait in a ring, writes and flushes in a queue. Reactor thread only.
 */
final class Lane {
    final IoBackend backend;
    final IoQueue queue;
    final boolean polled;

    // op table
    final RequestSlot[] opRequest;
    final IoJob[] opJob;
    final Target[] opTarget;
    final long[] opLogical;
    final int[] opSize;
    final int[] opDelta;
    final int[] opSpan;
    final int[] opSlot;
    final long[] opVersion;
    final MemorySegment[] opData;
    final int[] freeOps;
    int freeOpsTop;
    /** Ops taken from the pool: staged or submitted, not yet completed. */
    int inFlight;

    // reads waiting for a free op: ring of (request, logical, size, slot); grows (fan-out has no fixed bound)
    RequestSlot[] waitRequest;
    long[] waitLogical;
    int[] waitSize;
    int[] waitSlot;
    int waitHead;
    int waitCount;

    /** Writes and flushes not fully staged yet, oldest first. */
    final ArrayDeque<IoJob> jobs = new ArrayDeque<>();

    Lane(IoBackend backend, IoQueue queue, int ops, int waitCapacity) {
        this.backend = backend;
        this.queue = queue;
        this.polled = queue.polled();
        opRequest = new RequestSlot[ops];
        opJob = new IoJob[ops];
        opTarget = new Target[ops];
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
        waitRequest = new RequestSlot[waitCapacity];
        waitLogical = new long[waitCapacity];
        waitSize = new int[waitCapacity];
        waitSlot = new int[waitCapacity];
    }

    int takeOp() {
        inFlight++;
        return freeOps[--freeOpsTop];
    }

    void releaseOp(int op) {
        opRequest[op] = null;
        opJob[op] = null;
        opTarget[op] = null;
        inFlight--;
        freeOps[freeOpsTop++] = op;
    }

    void addWaiting(RequestSlot a, long logical, int size, int slot) {
        if (waitCount == waitRequest.length) {
            growWaiting();
        }
        int tail = (waitHead + waitCount) % waitRequest.length;
        waitRequest[tail] = a;
        waitLogical[tail] = logical;
        waitSize[tail] = size;
        waitSlot[tail] = slot;
        waitCount++;
    }

    private void growWaiting() {
        int n = waitRequest.length;
        RequestSlot[] r = new RequestSlot[n * 2];
        long[] l = new long[n * 2];
        int[] z = new int[n * 2];
        int[] s = new int[n * 2];
        for (int i = 0; i < waitCount; i++) {
            int from = (waitHead + i) % n;
            r[i] = waitRequest[from];
            l[i] = waitLogical[from];
            z[i] = waitSize[from];
            s[i] = waitSlot[from];
        }
        waitRequest = r;
        waitLogical = l;
        waitSize = z;
        waitSlot = s;
        waitHead = 0;
    }

    /** The requested bytes inside the op's buffer, as a segment reused while the shape repeats. */
    MemorySegment dataOf(int op) {
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
}
