package io.jxrp.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The matrix defaults, written once: what {@code scripts/bench} ({@link #BENCH}), {@code
 * scripts/reproduce} ({@link #FULL}) and {@code scripts/reproduce --quick} ({@link #QUICK}) run
 * unless an option says otherwise. {@code threads} null means powers of two up to the CPU count.
 */
enum Preset {
    /** A minute's look, not a result (one repetition: no spread, no intervals); the NVMe guest suite runs it under emulation. */
    QUICK(List.of(3), List.of("uring", "pread"), List.of("java"), List.of(1), List.of(1, 8), List.of(0), 1_000, 1_000, 1,
            0.10, List.of(), 1),
    /** The quick engine-vs-pread-vs-device comparison of scripts/bench: a few minutes. */
    BENCH(List.of(4), List.of("uring", "pread"), List.of("java"), List.of(1, 2), List.of(1, 32, 128), List.of(0), 20_000, 5_000, 3,
            0.10, List.of(), 2),
    /** The full matrix for NVMe hosts, XRP-style. */
    FULL(List.of(3, 4, 5), List.of("uring", "java", "pread"), List.of("java", "bpf-jit"), null, List.of(1, 4, 16, 64, 128),
            List.of(0), 200_000, 200_000, 3, 0.05, List.of(0.25, 0.5, 0.75, 0.9), 5);

    final List<Integer> layers;
    final List<String> modes;
    final List<String> functions;
    final List<Integer> threads;
    final List<Integer> inflight;
    final List<Integer> cache;
    final long requests;
    final long preadRequests;
    final int repetitions;
    final double maxSpread;
    final List<Double> openLoop;
    final double deviceSeconds;

    Preset(List<Integer> layers, List<String> modes, List<String> functions, List<Integer> threads, List<Integer> inflight,
           List<Integer> cache, long requests, long preadRequests, int repetitions, double maxSpread, List<Double> openLoop,
           double deviceSeconds) {
        this.layers = layers;
        this.modes = modes;
        this.functions = functions;
        this.threads = threads;
        this.inflight = inflight;
        this.cache = cache;
        this.requests = requests;
        this.preadRequests = preadRequests;
        this.repetitions = repetitions;
        this.maxSpread = maxSpread;
        this.openLoop = openLoop;
        this.deviceSeconds = deviceSeconds;
    }

    /** The load threads: this preset's, or 1, 2, 4, ... up to {@code cpus} and {@code cpus} itself. */
    List<Integer> threads(int cpus) {
        if (threads != null) {
            return threads;
        }
        List<Integer> out = new ArrayList<>();
        for (int t = 1; t <= cpus; t *= 2) {
            out.add(t);
        }
        if (!out.contains(cpus)) {
            out.add(cpus);
        }
        return out;
    }

    static Preset parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (quick, bench, full)");
        }
    }

    /** One line per preset for --help and the README. */
    static String describe() {
        StringBuilder out = new StringBuilder();
        for (Preset p : values()) {
            out.append(String.format(Locale.ROOT, "%s: layers %s, modes %s, functions %s, threads %s, in flight %s, cache %s, "
                            + "%,d lookups per engine point and %,d per pread point, %d repetitions, max spread %.2f, open loop %s, "
                            + "%.0f s per device-limit depth%n", p.name().toLowerCase(Locale.ROOT), join(p.layers), String.join(",", p.modes),
                    String.join(",", p.functions), p.threads == null ? "1,2,4,... up to the CPU count" : join(p.threads),
                    join(p.inflight), join(p.cache), p.requests, p.preadRequests, p.repetitions, p.maxSpread,
                    p.openLoop.isEmpty() ? "none" : join(p.openLoop), p.deviceSeconds));
        }
        return out.toString();
    }

    private static String join(List<?> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
