package io.jxrp.bench.harness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Repetitions folded into one figure per point, and the ratios a run is about, each with its 95%
 * confidence interval: every engine point against the pread baseline at the same thread count (and
 * layers, cache), and against the device ceiling at its depth (IOPS / reads per lookup), all
 * measured in the same run.
 */
final class Summary {
    /** Issue 6's targets on this machine: reported, never asserted. */
    static final double TARGET_CEILING_FRACTION = 0.80;
    static final double TARGET_VS_PREAD = 2.5;
    static final double TARGET_ENGINE_NANOS_PER_HOP = 1000;
    /** Issue 14's: an eBPF function's lookups within 5% of the Java function's in reactor CPU per hop. */
    static final double TARGET_CPU_VS_JAVA = 1.05;

    /**
     * One point over its repetitions.
     *
     * @param representative the repetition with the median throughput (its latencies are reported)
     * @param repetitions    every repetition, in repetition order
     * @param spread         (max - min) / median throughput over the repetitions; NaN for one repetition
     */
    record Aggregated(MatrixPoint point, PointResult representative, List<PointResult> repetitions, double spread) {
        double throughput() {
            return representative.throughput();
        }

        double[] throughputs() {
            return repetitions.stream().mapToDouble(PointResult::throughput).toArray();
        }

        /** An open-loop point that missed its offered rate in any repetition. */
        boolean missedRate() {
            return repetitions.stream().anyMatch(PointResult::missedRate);
        }
    }

    private final List<Aggregated> points;
    /**
     * Per device ({@link DeviceLimit#FILE}, {@link DeviceLimit#NAMESPACE}), the better measurement per
     * depth (before or after the matrix): the ceiling the points on that device are held to.
     */
    private final Map<String, Map<Integer, DeviceLimit>> limitsByDevice;
    private final List<DeviceLimit> allLimits;
    private final double maxSpread;

    Summary(List<PointResult> results, List<DeviceLimit> limits, double maxSpread) {
        this.points = aggregate(results);
        this.limitsByDevice = new TreeMap<>();
        for (DeviceLimit l : limits) {
            limitsByDevice.computeIfAbsent(l.device(), d -> new TreeMap<>()).merge(l.depth(), l, (a, b) -> b.iops() > a.iops() ? b : a);
        }
        this.allLimits = List.copyOf(limits);
        this.maxSpread = maxSpread;
    }

    static List<Aggregated> aggregate(List<PointResult> results) {
        Map<MatrixPoint, List<PointResult>> byPoint = new LinkedHashMap<>();
        for (PointResult r : results) {
            byPoint.computeIfAbsent(r.point(), k -> new ArrayList<>()).add(r);
        }
        List<Aggregated> out = new ArrayList<>();
        for (Map.Entry<MatrixPoint, List<PointResult>> e : byPoint.entrySet()) {
            List<PointResult> inOrder = new ArrayList<>(e.getValue());
            inOrder.sort(Comparator.comparingInt(PointResult::repetition));
            List<PointResult> sorted = new ArrayList<>(inOrder);
            sorted.sort(Comparator.comparingDouble(PointResult::throughput));
            PointResult median = sorted.get((sorted.size() - 1) / 2);
            double min = sorted.getFirst().throughput();
            double max = sorted.getLast().throughput();
            double spread = sorted.size() < 2 || median.throughput() == 0 ? Double.NaN : (max - min) / median.throughput();
            out.add(new Aggregated(e.getKey(), median, List.copyOf(inOrder), spread));
        }
        return out;
    }

    List<Aggregated> points() {
        return points;
    }

    List<DeviceLimit> limits() {
        return allLimits;
    }

    boolean unstable(Aggregated a) {
        return a.spread() > maxSpread;
    }

    List<Aggregated> unstablePoints() {
        return points.stream().filter(this::unstable).toList();
    }

    /** The closed-loop pread point with the same layers, threads and cache, if measured. */
    Optional<Aggregated> preadBaseline(MatrixPoint p) {
        return points.stream().filter(a -> a.point().mode() == BenchMode.PREAD && !a.point().openLoop()
                && a.point().layers() == p.layers() && a.point().threads() == p.threads()
                && a.point().cacheLevels() == p.cacheLevels()).findFirst();
    }

    /**
     * Throughput over the pread baseline at the same thread count, paired by repetition (both
     * measured in the same round) when both have every repetition; NONE without a baseline.
     */
    Ratio vsPread(Aggregated a) {
        if (a.point().openLoop() || !a.point().mode().engine() || a.point().mode() == BenchMode.SPDK) {
            return Ratio.NONE; // open loop runs at a rate we chose; spdk reads a namespace, pread the file (see vsUring)
        }
        return preadBaseline(a.point()).map(b -> ratio(a, b)).orElse(Ratio.NONE);
    }

    /**
     * An spdk point's throughput over the uring point with the same function, layers, threads, in
     * flight and cache (the engine on the file the namespace's aio bdev serves, when it does); NONE
     * without one.
     */
    Ratio vsUring(Aggregated a) {
        MatrixPoint p = a.point();
        if (p.openLoop() || p.mode() != BenchMode.SPDK) {
            return Ratio.NONE;
        }
        MatrixPoint uring = new MatrixPoint(BenchMode.URING, p.function(), p.layers(), p.threads(), p.inflight(), p.cacheLevels(), 0);
        return points.stream().filter(b -> b.point().equals(uring)).findFirst().map(b -> ratio(a, b)).orElse(Ratio.NONE);
    }

    private Map<Integer, DeviceLimit> limits(MatrixPoint p) {
        return limitsByDevice.getOrDefault(DeviceLimit.deviceOf(p), Map.of());
    }

    /**
     * Reactor CPU (user + kernel) per hop over the Java function's at the same point (mode, layers,
     * threads, in flight, cache, offered rate), paired by repetition as {@link #vsPread} is; NONE for
     * the Java function itself, for pread, and without a Java point or a reactor CPU figure.
     */
    Ratio cpuVsJava(Aggregated a) {
        MatrixPoint p = a.point();
        if (!p.mode().engine() || p.function().equals(FunctionChoice.JAVA)) {
            return Ratio.NONE;
        }
        MatrixPoint java = new MatrixPoint(p.mode(), FunctionChoice.JAVA, p.layers(), p.threads(), p.inflight(),
                p.cacheLevels(), p.targetRate());
        return points.stream().filter(b -> b.point().equals(java)).findFirst()
                .map(b -> ratio(a, b, PointResult::engineCpuNanosPerHop)).orElse(Ratio.NONE);
    }

    static Ratio ratio(Aggregated a, Aggregated b) {
        return ratio(a, b, PointResult::throughput);
    }

    /** {@code figure} of {@code a} over that of {@code b}: paired when both have the same repetitions, else unpaired. */
    static Ratio ratio(Aggregated a, Aggregated b, ToDoubleFunction<PointResult> figure) {
        double[] x = a.repetitions().stream().mapToDouble(figure).toArray();
        double[] y = b.repetitions().stream().mapToDouble(figure).toArray();
        if (Arrays.stream(x).anyMatch(v -> !(v > 0)) || Arrays.stream(y).anyMatch(v -> !(v > 0))) {
            return Ratio.NONE;
        }
        boolean paired = x.length == y.length && a.repetitions().stream().map(PointResult::repetition).toList()
                .equals(b.repetitions().stream().map(PointResult::repetition).toList());
        return paired ? Ratio.paired(x, y) : Ratio.unpaired(x, y);
    }

    /** The device limit measured at the point's depth (the better of before and after), if any. */
    Optional<DeviceLimit> limitAt(MatrixPoint p) {
        return Optional.ofNullable(limits(p).get(p.depth()));
    }

    /** The device ceiling in lookups/s at the point's depth; NaN when that depth was not measured. */
    double ceiling(MatrixPoint p) {
        return limitAt(p).map(l -> l.ceilingLookups(p.readsPerLookup())).orElse(Double.NaN);
    }

    /** Throughput as a fraction of the device ceiling at the same depth, over the point's repetitions. */
    Ratio vsCeiling(Aggregated a) {
        if (a.point().openLoop()) {
            return Ratio.NONE;
        }
        double c = ceiling(a.point());
        return Double.isNaN(c) || c == 0 ? Ratio.NONE : Ratio.against(a.throughputs(), c);
    }

    /** The least mean lookup latency the device allows at the point's depth (reads x mean read latency). */
    double latencyFloorMicros(MatrixPoint p) {
        return limitAt(p).map(l -> l.latencyFloorMicros(p.readsPerLookup())).orElse(Double.NaN);
    }

    /** The highest device ceiling measured (best depth) for a point's reads per lookup. */
    double bestCeiling(MatrixPoint p) {
        return limits(p).values().stream().mapToDouble(l -> l.ceilingLookups(p.readsPerLookup())).max().orElse(Double.NaN);
    }

    /**
     * The device limits whose before and after measurements disagree by more than the points'
     * spread (the median spread of the points with repetitions, else the allowed spread): the device
     * changed during the run, and the repetitions' spread does not show it.
     */
    List<String> driftWarnings() {
        double tolerance = medianSpread().orElse(maxSpread);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, DeviceLimit>> device : limitsByDevice.entrySet()) {
            for (int depth : device.getValue().keySet()) {
                Optional<DeviceLimit> before = phase(device.getKey(), depth, "before");
                Optional<DeviceLimit> after = phase(device.getKey(), depth, "after");
                if (before.isEmpty() || after.isEmpty()) {
                    continue;
                }
                double b = before.get().iops();
                double f = after.get().iops();
                double drift = Math.abs(f - b) / Math.max(b, f);
                if (drift > tolerance) {
                    out.add(String.format(Locale.ROOT, "the %s limit at depth %d moved by %.0f%% during the run "
                                    + "(%.0f IOPS before the points, %.0f after), more than the points' spread of %.0f%%: "
                                    + "the device or the host changed under the measurements",
                            device.getKey().equals(DeviceLimit.FILE) ? "device" : "namespace", depth, 100 * drift, b, f,
                            100 * tolerance));
                }
            }
        }
        return out;
    }

    private Optional<Double> medianSpread() {
        double[] spreads = points.stream().mapToDouble(Aggregated::spread).filter(Double::isFinite).sorted().toArray();
        return spreads.length == 0 ? Optional.empty() : Optional.of(spreads[(spreads.length - 1) / 2]);
    }

    private Optional<DeviceLimit> phase(String device, int depth, String phase) {
        return allLimits.stream().filter(l -> l.device().equals(device) && l.depth() == depth && l.phase().equals(phase)).findFirst();
    }

    /**
     * Headline figures per (mode/function, layers, cache): the best closed-loop engine point and its
     * ratios, for the targets of issue 6.
     *
     * @param engineNanosPerHop  reactor user time per hop at the best point (the verdict's figure)
     * @param cheapest           the point with the lowest reactor user time per hop, and
     * @param dearest            the highest (often 1 in flight: every hop pays a sleep and a wake-up)
     * @param cpuVsJava          reactor CPU per hop at the best point over the Java function's at the same
     *                           point (NONE for the Java function)
     */
    record Headline(Aggregated best, Ratio vsCeilingAtDepth, double vsBestCeiling, Ratio bestVsPread,
                    int bestVsPreadThreads, double engineNanosPerHop, Aggregated cheapest, Aggregated dearest,
                    double reactorCpuNanosPerHop, Aggregated closestToCeiling, Ratio closestFraction, Ratio cpuVsJava) {
    }

    List<Headline> headlines() {
        Map<String, List<Aggregated>> groups = new LinkedHashMap<>();
        for (Aggregated a : points) {
            MatrixPoint p = a.point();
            if (p.mode().engine() && !p.openLoop()) {
                groups.computeIfAbsent(p.configuration() + "/" + p.layers() + "/" + p.cacheLevels(), k -> new ArrayList<>()).add(a);
            }
        }
        List<Headline> out = new ArrayList<>();
        for (List<Aggregated> group : groups.values()) {
            Aggregated best = group.stream().max(Comparator.comparingDouble(Aggregated::throughput)).orElseThrow();
            Ratio bestVsPread = Ratio.NONE;
            int bestThreads = 0;
            for (Aggregated a : group) {
                Ratio r = vsPread(a);
                if (r.known() && (!bestVsPread.known() || r.value() > bestVsPread.value())) {
                    bestVsPread = r;
                    bestThreads = a.point().threads();
                }
            }
            Comparator<Aggregated> byUserPerHop = Comparator.comparingDouble(a -> a.representative().engineUserNanosPerHop());
            List<Aggregated> timed = group.stream().filter(a -> Double.isFinite(a.representative().engineUserNanosPerHop())).toList();
            Aggregated cheapest = timed.stream().min(byUserPerHop).orElse(null);
            Aggregated dearest = timed.stream().max(byUserPerHop).orElse(null);
            Aggregated closest = null;
            Ratio closestFraction = Ratio.NONE;
            for (Aggregated a : group) {
                Ratio f = vsCeiling(a);
                if (f.known() && (!closestFraction.known() || f.value() > closestFraction.value())) {
                    closestFraction = f;
                    closest = a;
                }
            }
            double bestCeiling = bestCeiling(best.point());
            out.add(new Headline(best, vsCeiling(best), best.throughput() / bestCeiling, bestVsPread, bestThreads,
                    best.representative().engineUserNanosPerHop(), cheapest, dearest, best.representative().engineCpuNanosPerHop(),
                    closest, closestFraction, cpuVsJava(best)));
        }
        return out;
    }

    /** The summary table printed by {@code scripts/bench} and written to summary.md. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("| point | lookups/s | reps | spread | mean us | floor us | p50 us | p99 us | p99.9 us | CPU us/lookup | hops/lookup "
                + "| engine ns/hop user / all | CPU/hop vs java [95% CI] | vs pread [95% CI] | vs device [95% CI] |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Aggregated a : points) {
            PointResult r = a.representative();
            out.append(String.format(Locale.ROOT, "| %s | %.0f%s | %d | %s | %.1f | %s | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s |%n",
                    a.point().label(), a.throughput(), a.missedRate() ? " (missed)" : "", a.repetitions().size(), spread(a),
                    r.meanMicros(), fmt(latencyFloorMicros(a.point()), "%.1f"), r.percentileMicros(50), r.percentileMicros(99),
                    r.percentileMicros(99.9), r.cpuMicrosPerLookup(), fmt(r.hopsPerLookup(), "%.2f"),
                    fmt(r.engineUserNanosPerHop(), "%.0f") + " / " + fmt(r.engineCpuNanosPerHop(), "%.0f"),
                    cpuVsJava(a).format(), vsPread(a).format(), vsCeiling(a).formatPercent()));
        }
        return out.toString();
    }

    /** The spread as a percentage, marked (!) past the allowed spread; "n=1" for a single repetition. */
    String spread(Aggregated a) {
        return Double.isNaN(a.spread()) ? "n=1" : String.format(Locale.ROOT, "%.1f%%%s", 100 * a.spread(), unstable(a) ? " (!)" : "");
    }

    /** The database file's limits (every mode but spdk). */
    String limitsTable() {
        return limitsTable(DeviceLimit.FILE);
    }

    /** Whether limits of {@code device} were measured. */
    boolean hasLimits(String device) {
        return limitsByDevice.containsKey(device);
    }

    String limitsTable(String device) {
        StringBuilder out = new StringBuilder("| depth | IOPS before | IOPS after | used (the better) | read mean us | read p50 us "
                + "| read p99 us | read p99.9 us | tool | ceiling lookups/s by reads per lookup |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (DeviceLimit l : limitsByDevice.getOrDefault(device, Map.of()).values()) {
            StringBuilder ceilings = new StringBuilder();
            points.stream().map(a -> a.point().readsPerLookup()).distinct().sorted().forEach(n ->
                    ceilings.append(ceilings.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%d reads: %.0f", n, l.ceilingLookups(n))));
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |%n", l.depth(),
                    phaseIops(device, l.depth(), "before"), phaseIops(device, l.depth(), "after"), l.iops(), fmt(l.latency().meanMicros(), "%.1f"),
                    fmt(l.latency().p50Micros(), "%.1f"), fmt(l.latency().p99Micros(), "%.1f"), fmt(l.latency().p999Micros(), "%.1f"),
                    l.tool(), ceilings));
        }
        return out.toString();
    }

    private String phaseIops(String device, int depth, String phase) {
        return phase(device, depth, phase).map(l -> String.format(Locale.ROOT, "%.0f", l.iops())).orElse("-");
    }

    String headlineText() {
        StringBuilder out = new StringBuilder();
        for (Headline h : headlines()) {
            MatrixPoint p = h.best().point();
            out.append(String.format(Locale.ROOT,
                    "- **%s, L=%d, cache %d**: best %.0f lookups/s (T%d I%d) = %s of the device ceiling at depth %d, %s of the best ceiling measured "
                            + "(target >= %.0f%%: %s); closest to the ceiling: %s; vs pread at the same thread count: best %s (T%d; target >= %.1fx: %s); "
                            + "engine CPU per hop (reactor user time) at the best point: %s (target < %.0f ns: %s; reactor user + kernel: %s; "
                            + "over all closed-loop points: %s to %s)%n",
                    p.configuration(), p.layers(), p.cacheLevels(), h.best().throughput(), p.threads(), p.inflight(),
                    h.vsCeilingAtDepth().formatPercent(), p.depth(), percent(h.vsBestCeiling()), 100 * TARGET_CEILING_FRACTION,
                    verdict(h.vsCeilingAtDepth(), TARGET_CEILING_FRACTION),
                    h.closestToCeiling() == null ? "-" : String.format(Locale.ROOT, "%s at T%d I%d (depth %d)", h.closestFraction().formatPercent(),
                            h.closestToCeiling().point().threads(), h.closestToCeiling().point().inflight(), h.closestToCeiling().point().depth()),
                    h.bestVsPread().format(), h.bestVsPreadThreads(), TARGET_VS_PREAD, verdict(h.bestVsPread(), TARGET_VS_PREAD),
                    Double.isFinite(h.engineNanosPerHop()) ? String.format(Locale.ROOT, "%.0f ns", h.engineNanosPerHop()) : "n/a",
                    TARGET_ENGINE_NANOS_PER_HOP, Double.isNaN(h.engineNanosPerHop()) ? "not measured"
                            : h.engineNanosPerHop() < TARGET_ENGINE_NANOS_PER_HOP ? "met" : "NOT met",
                    Double.isFinite(h.reactorCpuNanosPerHop()) ? String.format(Locale.ROOT, "%.0f ns", h.reactorCpuNanosPerHop()) : "n/a",
                    userPerHop(h.cheapest()), userPerHop(h.dearest())));
            if (h.cpuVsJava().known()) {
                out.append(String.format(Locale.ROOT, "  - reactor CPU per hop against the Java function at the same point "
                                + "(T%d I%d): %s (target <= %.2fx: %s)%n", p.threads(), p.inflight(), h.cpuVsJava().format(),
                        TARGET_CPU_VS_JAVA, verdictAtMost(h.cpuVsJava(), TARGET_CPU_VS_JAVA)));
            }
            if (p.mode() == BenchMode.SPDK) {
                out.append(spdkLine(p));
            }
        }
        List<Aggregated> unstable = unstablePoints();
        if (!unstable.isEmpty()) {
            out.append(String.format(Locale.ROOT, "- **%d point(s) spread more than %.0f%% over their repetitions** (marked (!)): "
                    + "treat them as noise, not results.%n", unstable.size(), 100 * maxSpread));
        }
        long missed = points.stream().filter(Aggregated::missedRate).count();
        if (missed > 0) {
            out.append(String.format(Locale.ROOT, "- **%d open-loop point(s) missed their offered rate** (achieved below %.0f%% of it, "
                    + "marked (missed)): those configurations cannot carry that load.%n", missed, 100 * PointResult.MISSED_FRACTION));
        }
        for (String w : driftWarnings()) {
            out.append("- **warning**: ").append(w).append('\n');
        }
        return out.toString();
    }

    /**
     * The spdk points of one (function, layers, cache) against spdk_nvme_perf's ceiling on the
     * namespace and the uring points on the file, depth by depth.
     */
    private String spdkLine(MatrixPoint group) {
        StringBuilder line = new StringBuilder("  - spdk point by point (lookups/s; of spdk_nvme_perf's IOPS / reads per lookup "
                + "on the namespace at the same depth; over uring on the file at the same point):");
        for (Aggregated a : points) {
            MatrixPoint p = a.point();
            if (p.mode() == BenchMode.SPDK && !p.openLoop() && p.function().equals(group.function())
                    && p.layers() == group.layers() && p.cacheLevels() == group.cacheLevels()) {
                line.append(String.format(Locale.ROOT, " T%d I%d %.0f (p50 %.1f us; %s; %s);", p.threads(), p.inflight(),
                        a.throughput(), a.representative().percentileMicros(50), vsCeiling(a).formatPercent(), vsUring(a).format()));
            }
        }
        return line.append('\n').toString();
    }

    private static String userPerHop(Aggregated a) {
        return a == null ? "n/a" : String.format(Locale.ROOT, "%.0f ns (T%d I%d)", a.representative().engineUserNanosPerHop(),
                a.point().threads(), a.point().inflight());
    }

    /** "met" only when the whole interval clears the target, "NOT met" when all of it misses, else "unclear". */
    private static String verdict(Ratio r, double target) {
        if (!r.known()) {
            return "not measured";
        }
        if (!r.hasInterval()) {
            return r.value() >= target ? "met (one repetition)" : "NOT met (one repetition)";
        }
        return r.low() >= target ? "met" : r.high() < target ? "NOT met" : "unclear (the interval spans it)";
    }

    /** {@link #verdict} for a ratio that must stay at or below {@code target}. */
    private static String verdictAtMost(Ratio r, double target) {
        if (!r.known()) {
            return "not measured";
        }
        if (!r.hasInterval()) {
            return r.value() <= target ? "met (one repetition)" : "NOT met (one repetition)";
        }
        return r.high() <= target ? "met" : r.low() > target ? "NOT met" : "unclear (the interval spans it)";
    }

    static String percent(double f) {
        return Double.isFinite(f) ? String.format(Locale.ROOT, "%.0f%%", 100 * f) : "-";
    }

    private static String fmt(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
    }

    /** Rows of the ratios for the CSV/JSON outputs: one per aggregated point. */
    List<Map<String, Object>> rows() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Aggregated a : points) {
            Map<String, Object> row = new LinkedHashMap<>(a.representative().row());
            row.remove("repetition");
            row.remove("run");
            row.put("missed_rate", a.missedRate());
            row.put("repetitions", a.repetitions().size());
            row.put("spread", a.spread());
            row.put("unstable", unstable(a));
            Ratio vsPread = vsPread(a);
            row.put("vs_pread", vsPread.value());
            row.put("vs_pread_low", vsPread.low());
            row.put("vs_pread_high", vsPread.high());
            Ratio vsUring = vsUring(a);
            row.put("vs_uring", vsUring.value());
            row.put("vs_uring_low", vsUring.low());
            row.put("vs_uring_high", vsUring.high());
            Ratio cpuVsJava = cpuVsJava(a);
            row.put("cpu_vs_java", cpuVsJava.value());
            row.put("cpu_vs_java_low", cpuVsJava.low());
            row.put("cpu_vs_java_high", cpuVsJava.high());
            row.put("device_ceiling", ceiling(a.point()));
            Ratio vsDevice = vsCeiling(a);
            row.put("vs_device", vsDevice.value());
            row.put("vs_device_low", vsDevice.low());
            row.put("vs_device_high", vsDevice.high());
            row.put("device_latency_floor_us", latencyFloorMicros(a.point()));
            rows.add(row);
        }
        return rows;
    }
}
