package io.jxrp.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one repetition of a matrix point measured.
 *
 * @param point                  the configuration
 * @param repetition             0-based repetition index
 * @param run                    0-based position in the run's sequence of measurements (repetitions are
 *                               interleaved across points: round r measures every point once)
 * @param backend                what served the lookups (engine backend and why, or pread)
 * @param requests               measured lookups
 * @param wrong                  lookups with a missing or wrong value (never timed as successes)
 * @param fallbacks              lookups the engine path redid through pread
 * @param seconds                wall time of the measured part
 * @param latency                per-lookup latency in nanoseconds
 * @param cpuMicrosPerLookup     process CPU time (user + system) per lookup
 * @param hopsPerLookup          engine hops (completed reads handed to a function) per lookup; NaN for pread
 * @param engineUserNanosPerHop  user-mode CPU time of the engine's reactors per hop (the engine's own cost,
 *                               kernel excluded); NaN for pread, when the JVM cannot tell, or when the run was
 *                               too short for the clock-tick resolution of per-thread user time
 * @param engineCpuNanosPerHop   CPU time (user + kernel, nanosecond resolution) of the reactors per hop
 */
record PointResult(MatrixPoint point, int repetition, int run, String backend, long requests, long wrong, long fallbacks,
                   double seconds, Histogram latency, double cpuMicrosPerLookup, double hopsPerLookup,
                   double engineUserNanosPerHop, double engineCpuNanosPerHop) {

    /** An open-loop point missed its offered rate when it achieved less than this share of it. */
    static final double MISSED_FRACTION = 0.95;

    double throughput() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** An open-loop point that could not keep up with its offered rate (its latencies then grow with the run). */
    boolean missedRate() {
        return point.openLoop() && throughput() < MISSED_FRACTION * point.targetRate();
    }

    double meanMicros() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMean() / 1e3;
    }

    double percentileMicros(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1e3;
    }

    double maxMicros() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1e3;
    }

    /** One flat row: the CSV columns and the JSON object of a point. */
    Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", point.mode().cliName);
        row.put("function", point.function());
        row.put("layers", point.layers());
        row.put("threads", point.threads());
        row.put("inflight", point.inflight());
        row.put("cache_levels", point.cacheLevels());
        row.put("loop", point.openLoop() ? "open" : "closed");
        row.put("target_rate", point.targetRate());
        row.put("repetition", repetition);
        row.put("run", run);
        row.put("backend", backend);
        row.put("requests", requests);
        row.put("wrong", wrong);
        row.put("fallbacks", fallbacks);
        row.put("seconds", seconds);
        row.put("throughput", throughput());
        row.put("missed_rate", missedRate());
        row.put("mean_us", meanMicros());
        row.put("p50_us", percentileMicros(50));
        row.put("p95_us", percentileMicros(95));
        row.put("p99_us", percentileMicros(99));
        row.put("p999_us", percentileMicros(99.9));
        row.put("p9999_us", percentileMicros(99.99));
        row.put("max_us", maxMicros());
        row.put("cpu_us_per_lookup", cpuMicrosPerLookup);
        row.put("hops_per_lookup", hopsPerLookup);
        row.put("engine_user_ns_per_hop", engineUserNanosPerHop);
        row.put("engine_cpu_ns_per_hop", engineCpuNanosPerHop);
        row.put("reads_per_lookup", point.readsPerLookup());
        row.put("depth", point.depth());
        return row;
    }
}
