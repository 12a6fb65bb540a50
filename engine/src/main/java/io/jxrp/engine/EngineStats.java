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
}
