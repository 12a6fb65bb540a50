package io.jxrp.bench.harness;

/**
 * One configuration of the matrix.
 *
 * @param mode          engine backend or pread
 * @param function      storage functions the engine runs ({@code java}, {@code bpf-jit}, ...; {@code -} for pread)
 * @param layers        index layers of the database
 * @param threads       load threads
 * @param inflight      lookups outstanding per thread (1 for pread)
 * @param cacheLevels   top index levels cached in memory
 * @param targetRate    open-loop rate over all threads in lookups/s, 0 for closed loop
 */
record MatrixPoint(BenchMode mode, String function, int layers, int threads, int inflight, int cacheLevels,
                   double targetRate) {

    /** Reads a lookup needs from the device: the uncached index levels and the value block. */
    int readsPerLookup() {
        return layers - Math.min(cacheLevels, layers) + 1;
    }

    /** I/O depth the configuration can reach: every outstanding lookup has one read in flight. */
    int depth() {
        return threads * inflight;
    }

    boolean openLoop() {
        return targetRate > 0;
    }

    /** Same configuration, closed loop. */
    MatrixPoint closed() {
        return new MatrixPoint(mode, function, layers, threads, inflight, cacheLevels, 0);
    }

    MatrixPoint atRate(double rate) {
        return new MatrixPoint(mode, function, layers, threads, inflight, cacheLevels, rate);
    }

    /** A file-name-safe identity: {@code uring-java-L4-C0-T2-I8}, with {@code -R<rate>} for open loop. */
    String id() {
        return mode + (mode.engine() ? "-" + function : "") + "-L" + layers + "-C" + cacheLevels + "-T" + threads + "-I" + inflight
                + (openLoop() ? String.format(java.util.Locale.ROOT, "-R%.0f", targetRate) : "");
    }

    /** The configuration without threads and in-flight lookups: one line in the plots. */
    String configuration() {
        return mode + (mode.engine() ? "/" + function : "");
    }

    /** A short label for tables and plot legends: {@code uring/java T2 I8 L4 C0}. */
    String label() {
        return mode + (mode.engine() ? "/" + function : "") + " T" + threads + " I" + inflight + " L" + layers
                + " C" + cacheLevels + (openLoop() ? String.format(java.util.Locale.ROOT, " @%.0f/s", targetRate) : "");
    }
}
