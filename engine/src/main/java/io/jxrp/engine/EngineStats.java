package io.jxrp.engine;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A snapshot of an engine's counters, taken while it runs.
 *
 * @param submitted requests accepted
 * @param completed requests ended (any outcome)
 * @param hops      reads completed and handed to a function
 * @param outcomes  ended requests by outcome
 * @param latency   request latency in nanoseconds since the engine opened (a copy)
 * @param reactorCpuNanos  CPU time of the reactor threads so far (user + kernel), -1 if the JVM cannot tell
 * @param reactorUserNanos user-mode CPU time of the reactor threads so far: the engine's own cost,
 *                         without the kernel's I/O path; -1 if the JVM cannot tell
 */
public record EngineStats(long submitted, long completed, long hops, Map<Outcome, Long> outcomes, Histogram latency,
                          long reactorCpuNanos, long reactorUserNanos) {
    public EngineStats {
        outcomes = Map.copyOf(outcomes);
    }

    public long outcome(Outcome o) {
        return outcomes.getOrDefault(o, 0L);
    }

    /** One line: counts, the outcomes that occurred, latency percentiles in microseconds, reactor CPU. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("EngineStats[submitted=").append(submitted)
                .append(", completed=").append(completed).append(", hops=").append(hops);
        for (Outcome o : Outcome.values()) {
            long n = outcome(o);
            if (n != 0) {
                sb.append(", ").append(o).append('=').append(n);
            }
        }
        if (latency.getTotalCount() > 0) {
            sb.append(String.format(java.util.Locale.ROOT, ", latency us p50=%.1f p99=%.1f p99.9=%.1f max=%.1f",
                    latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                    latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3));
        }
        if (reactorCpuNanos >= 0) {
            sb.append(String.format(java.util.Locale.ROOT, ", reactor cpu ms=%.1f (user %.1f)",
                    reactorCpuNanos / 1e6, reactorUserNanos / 1e6));
        }
        return sb.append(']').toString();
    }
}
