package io.jxrp.bpfkv.load;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Lookup latencies recorded from many threads at once: one plain histogram per platform thread, so
 * reactors recording side by side never write the same cache lines (a shared histogram's atomic
 * counters bounce between cores on every lookup); virtual threads (the pread fallbacks, rare and
 * short-lived) share one concurrent recorder instead of each getting a histogram. {@link #merged()}
 * must be called once every recording thread is done and that is visible to the caller (joined, or
 * counted down on a latch).
 */
final class Latencies {
    /** Sized up front (10 minutes at 3 digits): a histogram resizing on a reactor thread would stall it. */
    private static final long HIGHEST = TimeUnit.MINUTES.toNanos(10);
    private static final int DIGITS = 3;

    private final List<Histogram> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Histogram> mine = ThreadLocal.withInitial(() -> {
        Histogram h = new Histogram(HIGHEST, DIGITS);
        perThread.add(h);
        return h;
    });
    private final Recorder shared = new Recorder(HIGHEST, DIGITS);

    void record(long nanos) {
        long value = Math.min(Math.max(0, nanos), HIGHEST);
        if (Thread.currentThread().isVirtual()) {
            shared.recordValue(value);
        } else {
            mine.get().recordValue(value);
        }
    }

    /** Lookups recorded so far, read without synchronisation from another thread: for progress only. */
    long approximateCount() {
        long n = 0;
        for (Histogram h : perThread) {
            n += h.getTotalCount();
        }
        return n;
    }

    Histogram merged() {
        Histogram all = new Histogram(HIGHEST, DIGITS);
        for (Histogram h : perThread) {
            all.add(h);
        }
        all.add(shared.getIntervalHistogram());
        return all;
    }
}
