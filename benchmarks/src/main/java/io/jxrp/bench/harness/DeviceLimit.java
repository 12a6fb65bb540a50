package io.jxrp.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random-read IOPS of the device at one depth, measured on what the points read.
 *
 * @param depth      reads in flight
 * @param blockSize  bytes per read
 * @param iops       reads per second
 * @param tool       {@code fio}, {@code rawread} (the shim's C loop) or {@code spdk_nvme_perf}
 * @param seconds    measured time
 * @param device     {@link #FILE} (the database file: the points of every mode but spdk) or
 *                   {@link #NAMESPACE} (the spdk mode's namespace)
 * @param phase      {@code before} or {@code after} the matrix (the device is measured on both sides
 *                   of the run, so drift shows and the ceiling is the better of the two)
 */
record DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String device, String phase) {
    static final String FILE = "file";
    static final String NAMESPACE = "namespace";

    /** A limit measured on the database file. */
    DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String phase) {
        this(depth, blockSize, iops, tool, seconds, FILE, phase);
    }

    /** Which device's limits a point is held to. */
    static String deviceOf(MatrixPoint point) {
        return point.mode() == BenchMode.SPDK ? NAMESPACE : FILE;
    }

    /** Lookups per second the device allows when each lookup needs {@code readsPerLookup} reads. */
    double ceilingLookups(int readsPerLookup) {
        return iops / readsPerLookup;
    }

    Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("depth", depth);
        row.put("block_size", blockSize);
        row.put("iops", iops);
        row.put("tool", tool);
        row.put("seconds", seconds);
        row.put("device", device);
        row.put("phase", phase);
        return row;
    }
}
