package io.jxrp.engine;

import java.lang.foreign.MemorySegment;

/** A request in flight on a reactor: pooled per reactor and reused, never allocated per request. */
final class RequestSlot {
    final int index;
    /** The slot's whole 4 KiB scratch page. */
    final MemorySegment page;
    /** What the current request sees: the first scratchBytes of the page (a slice kept while the size repeats). */
    MemorySegment scratch;
    PendingRequest<?> pending;
    Target target;
    StorageFunction function;
    int budget;
    /** Reads issued (the budget counts these), reads completed and handed to the function. */
    int issued;
    int hops;
    /** Reads staged, in flight or waiting for an op: the slot is free again only when this is 0. */
    int outstanding;
    boolean finished;

    RequestSlot(int index, MemorySegment page) {
        this.index = index;
        this.page = page;
        this.scratch = page;
    }
}
