package io.jxrp.bpfkv.store;

import io.jxrp.bpfkv.ops.EngineOps;
import io.jxrp.bpfkv.ops.PreadTraversal;
import io.jxrp.engine.Target;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * One tree file as readers see it: its pread traversal, its engine target and the operations on
 * it. A checkpoint writes a new file and publishes a new generation; the old one stays open while
 * any operation still holds it (engine chains in flight, pread lookups, open scans), then its target
 * is detached (the engine lets accepted requests finish) and its reader closed. The old file was
 * renamed over, so its blocks are the file system's to reuse only then: nothing in flight ever reads
 * a block that was reused under it.
 */
final class Generation {
    final long number;
    final PreadTraversal pread;
    /** Null in pread mode. */
    final EngineOps ops;
    final Target target;
    /** Holders: the store's own reference while current, plus every operation in progress. */
    private final AtomicLong holders = new AtomicLong(1);

    Generation(long number, PreadTraversal pread, EngineOps ops, Target target) {
        this.number = number;
        this.pread = pread;
        this.ops = ops;
        this.target = target;
    }

    /** Takes a hold unless the generation is already released for good. */
    boolean tryAcquire() {
        long n;
        do {
            n = holders.get();
            if (n == 0) {
                return false;
            }
        } while (!holders.compareAndSet(n, n + 1));
        return true;
    }

    /**
     * Drops a hold; the last one closes the generation. That may be a lookup's callback on a reactor
     * thread, which must not wait for its own reactor to detach the target: the closing runs on a
     * thread of its own.
     */
    void release() {
        if (holders.decrementAndGet() == 0) {
            Thread.ofVirtual().name("bpfkv-retire-" + number).start(this::closeNow);
        }
    }

    /** Releases the store's own hold and waits until the generation is closed, when that was the last one. */
    void releaseAndClose() {
        if (holders.decrementAndGet() == 0) {
            closeNow();
        }
    }

    private void closeNow() {
        try {
            if (target != null) {
                target.close(); // drains what was accepted, then detaches
            }
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Generation.class).debug("detaching generation {}: {}", number, e.toString());
        }
        try {
            pread.close();
        } catch (IOException e) {
            LoggerFactory.getLogger(Generation.class).warn("closing generation {}: {}", number, e.toString());
        }
    }

    long holders() {
        return holders.get();
    }
}
