package io.jxrp.engine;

/**
 * How long an idle reactor polls its queues before it parks, adapted to the gaps it sees. Parking
 * and being woken costs tens of microseconds on a virtual machine, so polling pays when the next
 * request comes soon (a caller waiting on each answer); it is waste when requests come further
 * apart than the poll (an open-loop load at a moderate rate). Each poll that runs out without work
 * halves the budget, down to nothing; a request that arrived while the reactor was parked, soon
 * enough that a full poll would have caught it, sets the budget to twice its gap (at least an
 * eighth of the maximum, at most the maximum).
 *
 * <p>Used by one reactor thread only.
 */
final class IdleSpin {
    private final long maxNanos;
    private long budgetNanos;

    /** @param maxNanos the longest poll; 0 never polls */
    IdleSpin(long maxNanos) {
        if (maxNanos < 0) {
            throw new IllegalArgumentException("spin " + maxNanos + " ns");
        }
        this.maxNanos = maxNanos;
        this.budgetNanos = maxNanos;
    }

    /** How long the next poll may run. */
    long budgetNanos() {
        return budgetNanos;
    }

    /** A poll of the current budget ended: {@code caught}, work arrived; otherwise it ran out. */
    void polled(boolean caught) {
        if (!caught) {
            long half = budgetNanos / 2;
            budgetNanos = half < maxNanos / 16 ? 0 : half;
        }
    }

    /**
     * The reactor parked, and a request was submitted {@code gapNanos} after it fell idle (measured
     * from the submission, not from the wake-up, which has its own latency).
     */
    void arrivedAfter(long gapNanos) {
        if (gapNanos <= maxNanos) {
            budgetNanos = Math.min(maxNanos, Math.max(2 * Math.max(0, gapNanos), maxNanos / 8));
        }
    }
}
