package io.jxrp.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random-read IOPS and read latency of the device at one depth, measured on the database file itself.
 *
 * @param depth      reads in flight
 * @param blockSize  bytes per read
 * @param iops       reads per second
 * @param tool       {@code fio}, {@code rawread} (the shim's C loop) or {@code spdk_nvme_perf}
 * @param seconds    measured time
 * @param device     {@link #FILE} (the database file: the points of every mode but spdk) or
 *                   {@link #NAMESPACE} (the spdk mode's namespace, measured by spdk_nvme_perf)
 * @param phase      {@code before} or {@code after} the matrix (the device is measured on both sides
 *                   of the run, so drift shows and the ceiling is the better of the two)
 * @param latency    one read's latency at this depth, submission to completion (fio's; unknown for rawread)
 */
record DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String device, String phase,
                   ReadLatency latency) {
    static final String FILE = "file";
    static final String NAMESPACE = "namespace";

    /**
     * Read latency percentiles in microseconds; NaN where the tool does not measure them.
     */
    record ReadLatency(double meanMicros, double p50Micros, double p99Micros, double p999Micros) {
        static final ReadLatency UNKNOWN = new ReadLatency(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** A limit measured on the database file, without latencies. */
    DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String phase) {
        this(depth, blockSize, iops, tool, seconds, FILE, phase, ReadLatency.UNKNOWN);
    }

    DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String device, String phase) {
        this(depth, blockSize, iops, tool, seconds, device, phase, ReadLatency.UNKNOWN);
    }

    /** Which device's limits a point is held to. */
    static String deviceOf(MatrixPoint point) {
        return point.mode() == BenchMode.SPDK ? NAMESPACE : FILE;
    }

    /** Lookups per second the device allows when each lookup needs {@code readsPerLookup} reads. */
    double ceilingLookups(int readsPerLookup) {
        return iops / readsPerLookup;
    }

    /**
     * The least mean latency a lookup of {@code readsPerLookup} dependent reads can have at this
     * depth: its reads one after another, each at the device's mean (means add up; percentiles do not).
     */
    double latencyFloorMicros(int readsPerLookup) {
        return latency.meanMicros() * readsPerLookup;
    }

    Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("depth", depth);
        row.put("block_size", blockSize);
        row.put("iops", iops);
        row.put("read_mean_us", latency.meanMicros());
        row.put("read_p50_us", latency.p50Micros());
        row.put("read_p99_us", latency.p99Micros());
        row.put("read_p999_us", latency.p999Micros());
        row.put("tool", tool);
        row.put("seconds", seconds);
        row.put("device", device);
        row.put("phase", phase);
        return row;
    }
}
