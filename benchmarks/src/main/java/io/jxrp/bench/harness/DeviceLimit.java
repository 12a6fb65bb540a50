package io.jxrp.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random-read IOPS of the device at one depth, measured on the database file itself.
 *
 * @param depth      reads in flight
 * @param blockSize  bytes per read
 * @param iops       reads per second
 * @param tool       {@code fio} or {@code rawread} (the shim's C loop)
 * @param seconds    measured time
 * @param phase      {@code before} or {@code after} the matrix (the device is measured on both sides
 *                   of the run, so drift shows and the ceiling is the better of the two)
 */
record DeviceLimit(int depth, int blockSize, double iops, String tool, double seconds, String phase) {
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
        row.put("phase", phase);
        return row;
    }
}
