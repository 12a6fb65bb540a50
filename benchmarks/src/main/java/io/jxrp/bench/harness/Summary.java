package io.jxrp.bench.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Repetitions folded into one figure per point, and the ratios a run is about: every engine point
 * against the pread baseline at the same thread count (and layers, cache), and against the device
 * ceiling at its depth (IOPS / reads per lookup), all measured in the same run.
 */
final class Summary {
    /** Issue 6's targets on this machine: reported, never asserted. */
    static final double TARGET_CEILING_FRACTION = 0.80;
    static final double TARGET_VS_PREAD = 2.5;
    static final double TARGET_ENGINE_NANOS_PER_HOP = 1000;

    /**
     * One point over its repetitions.
     *
     * @param representative the repetition with the median throughput (its latencies are reported)
     * @param spread         (max - min) / median throughput over the repetitions; 0 for one repetition
     */
    record Aggregated(MatrixPoint point, PointResult representative, int repetitions, double spread) {
        double throughput() {
            return representative.throughput();
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
        this.limitsByDevice = new java.util.TreeMap<>();
        for (DeviceLimit l : limits) {
            limitsByDevice.computeIfAbsent(l.device(), d -> new java.util.TreeMap<>())
                    .merge(l.depth(), l, (a, b) -> b.iops() > a.iops() ? b : a);
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
            List<PointResult> reps = new ArrayList<>(e.getValue());
            reps.sort(Comparator.comparingDouble(PointResult::throughput));
            PointResult median = reps.get((reps.size() - 1) / 2);
            double min = reps.getFirst().throughput();
            double max = reps.getLast().throughput();
            double spread = reps.size() < 2 || median.throughput() == 0 ? 0 : (max - min) / median.throughput();
            out.add(new Aggregated(e.getKey(), median, reps.size(), spread));
        }
        return out;
    }

    List<Aggregated> points() {
        return points;
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
     * Throughput over the pread baseline at the same thread count; NaN without one, and for spdk
     * points (pread reads the file, spdk a namespace: see {@link #vsUring}).
     */
    double vsPread(Aggregated a) {
        if (a.point().openLoop() || a.point().mode() == BenchMode.SPDK) {
            return Double.NaN; // an open-loop point runs at a rate we chose: no ratio to make
        }
        return preadBaseline(a.point()).map(b -> b.throughput() == 0 ? Double.NaN : a.throughput() / b.throughput())
                .orElse(Double.NaN);
    }

    /**
     * An spdk point's throughput over the uring point with the same function, layers, threads, in
     * flight and cache (the engine on the file the namespace's aio bdev serves, when it does); NaN
     * without one.
     */
    double vsUring(Aggregated a) {
        MatrixPoint p = a.point();
        if (p.openLoop() || p.mode() != BenchMode.SPDK) {
            return Double.NaN;
        }
        MatrixPoint uring = new MatrixPoint(BenchMode.URING, p.function(), p.layers(), p.threads(), p.inflight(),
                p.cacheLevels(), 0);
        return points.stream().filter(b -> b.point().equals(uring) && b.throughput() > 0).findFirst()
                .map(b -> a.throughput() / b.throughput()).orElse(Double.NaN);
    }

    private Map<Integer, DeviceLimit> limits(MatrixPoint p) {
        return limitsByDevice.getOrDefault(DeviceLimit.deviceOf(p), Map.of());
    }

    /** The device ceiling in lookups/s at the point's depth on its device; NaN when not measured. */
    double ceiling(MatrixPoint p) {
        DeviceLimit l = limits(p).get(p.depth());
        return l == null ? Double.NaN : l.ceilingLookups(p.readsPerLookup());
    }

    /** Throughput as a fraction of the device ceiling at the same depth. */
    double vsCeiling(Aggregated a) {
        if (a.point().openLoop()) {
            return Double.NaN;
        }
        double c = ceiling(a.point());
        return Double.isNaN(c) || c == 0 ? Double.NaN : a.throughput() / c;
    }

    /** The highest device ceiling measured (best depth) for a point's reads per lookup. */
    double bestCeiling(MatrixPoint p) {
        return limits(p).values().stream().mapToDouble(l -> l.ceilingLookups(p.readsPerLookup())).max().orElse(Double.NaN);
    }

    /**
     * Headline figures per (mode/function, layers, cache): the best closed-loop engine point and its
     * ratios, for the targets of issue 6.
     *
     * @param engineNanosPerHop  reactor user time per hop at the best point (the verdict's figure)
     * @param cheapest           the point with the lowest reactor user time per hop, and
     * @param dearest            the highest (often 1 in flight: every hop pays a sleep and a wake-up)
     */
    record Headline(Aggregated best, double vsCeilingAtDepth, double vsBestCeiling, double bestVsPread,
                    int bestVsPreadThreads, double engineNanosPerHop, Aggregated cheapest, Aggregated dearest,
                    double reactorCpuNanosPerHop, Aggregated closestToCeiling, double closestFraction) {
    }

    List<Headline> headlines() {
        Map<String, List<Aggregated>> groups = new LinkedHashMap<>();
        for (Aggregated a : points) {
            MatrixPoint p = a.point();
            if (p.mode().engine() && !p.openLoop()) {
                groups.computeIfAbsent(p.mode() + "/" + p.function() + "/" + p.layers() + "/" + p.cacheLevels(),
                        k -> new ArrayList<>()).add(a);
            }
        }
        List<Headline> out = new ArrayList<>();
        for (List<Aggregated> group : groups.values()) {
            Aggregated best = group.stream().max(Comparator.comparingDouble(Aggregated::throughput)).orElseThrow();
            double bestVsPread = Double.NaN;
            int bestThreads = 0;
            for (Aggregated a : group) {
                double r = vsPread(a);
                if (!Double.isNaN(r) && (Double.isNaN(bestVsPread) || r > bestVsPread)) {
                    bestVsPread = r;
                    bestThreads = a.point().threads();
                }
            }
            Comparator<Aggregated> byUserPerHop = Comparator.comparingDouble(a -> a.representative().engineUserNanosPerHop());
            List<Aggregated> timed = group.stream().filter(a -> Double.isFinite(a.representative().engineUserNanosPerHop())).toList();
            Aggregated cheapest = timed.stream().min(byUserPerHop).orElse(null);
            Aggregated dearest = timed.stream().max(byUserPerHop).orElse(null);
            Aggregated closest = null;
            double closestFraction = Double.NaN;
            for (Aggregated a : group) {
                double f = vsCeiling(a);
                if (!Double.isNaN(f) && (Double.isNaN(closestFraction) || f > closestFraction)) {
                    closestFraction = f;
                    closest = a;
                }
            }
            double bestCeiling = bestCeiling(best.point());
            out.add(new Headline(best, vsCeiling(best), best.throughput() / bestCeiling, bestVsPread, bestThreads,
                    best.representative().engineUserNanosPerHop(), cheapest, dearest, best.representative().engineCpuNanosPerHop(),
                    closest, closestFraction));
        }
        return out;
    }

    /** The summary table printed by {@code scripts/bench} and written to summary.md. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("| point | lookups/s | mean us | p50 us | p99 us | p99.9 us | CPU us/lookup | hops/lookup | engine ns/hop user / all | vs pread | vs device | spread |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Aggregated a : points) {
            PointResult r = a.representative();
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s | %s |%n",
                    a.point().label(), a.throughput(), r.meanMicros(), r.percentileMicros(50), r.percentileMicros(99),
                    r.percentileMicros(99.9), r.cpuMicrosPerLookup(), fmt(r.hopsPerLookup(), "%.2f"),
                    fmt(r.engineUserNanosPerHop(), "%.0f") + " / " + fmt(r.engineCpuNanosPerHop(), "%.0f"), ratio(a.point().mode().engine() ? vsPread(a) : Double.NaN),
                    percent(vsCeiling(a)),
                    a.repetitions() < 2 ? "-" : String.format(Locale.ROOT, "%.0f%%%s", 100 * a.spread(), unstable(a) ? " (!)" : "")));
        }
        return out.toString();
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
        StringBuilder out = new StringBuilder("| depth | IOPS before | IOPS after | used (the better) | tool | ceiling lookups/s by reads per lookup |\n"
                + "|---:|---:|---:|---:|---|---|\n");
        for (DeviceLimit l : limitsByDevice.getOrDefault(device, Map.of()).values()) {
            StringBuilder ceilings = new StringBuilder();
            points.stream().map(a -> a.point().readsPerLookup()).distinct().sorted().forEach(n ->
                    ceilings.append(ceilings.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%d reads: %.0f", n, l.ceilingLookups(n))));
            out.append(String.format(Locale.ROOT, "| %d | %s | %s | %.0f | %s | %s |%n", l.depth(),
                    phaseIops(device, l.depth(), "before"), phaseIops(device, l.depth(), "after"), l.iops(), l.tool(), ceilings));
        }
        return out.toString();
    }

    private String phaseIops(String device, int depth, String phase) {
        return allLimits.stream().filter(l -> l.device().equals(device) && l.depth() == depth && l.phase().equals(phase))
                .findFirst()
                .map(l -> String.format(Locale.ROOT, "%.0f", l.iops())).orElse("-");
    }

    String headlineText() {
        StringBuilder out = new StringBuilder();
        for (Headline h : headlines()) {
            MatrixPoint p = h.best().point();
            out.append(String.format(Locale.ROOT,
                    "- **%s/%s, L=%d, cache %d**: best %.0f lookups/s (T%d I%d) = %s of the device ceiling at depth %d, %s of the best ceiling measured "
                            + "(target >= %.0f%%: %s); closest to the ceiling: %s; vs pread at the same thread count: best %s (T%d; target >= %.1fx: %s); "
                            + "engine CPU per hop (reactor user time) at the best point: %s (target < %.0f ns: %s; reactor user + kernel: %s; "
                            + "over all closed-loop points: %s to %s)%n",
                    p.mode(), p.function(), p.layers(), p.cacheLevels(), h.best().throughput(), p.threads(), p.inflight(),
                    percent(h.vsCeilingAtDepth()), p.depth(), percent(h.vsBestCeiling()), 100 * TARGET_CEILING_FRACTION,
                    verdict(h.vsCeilingAtDepth() >= TARGET_CEILING_FRACTION, h.vsCeilingAtDepth()),
                    h.closestToCeiling() == null ? "-" : String.format(Locale.ROOT, "%s at T%d I%d (depth %d)", percent(h.closestFraction()),
                            h.closestToCeiling().point().threads(), h.closestToCeiling().point().inflight(), h.closestToCeiling().point().depth()),
                    ratio(h.bestVsPread()), h.bestVsPreadThreads(), TARGET_VS_PREAD,
                    verdict(h.bestVsPread() >= TARGET_VS_PREAD, h.bestVsPread()),
                    Double.isFinite(h.engineNanosPerHop()) ? String.format(Locale.ROOT, "%.0f ns", h.engineNanosPerHop()) : "n/a",
                    TARGET_ENGINE_NANOS_PER_HOP, verdict(h.engineNanosPerHop() < TARGET_ENGINE_NANOS_PER_HOP, h.engineNanosPerHop()),
                    Double.isFinite(h.reactorCpuNanosPerHop()) ? String.format(Locale.ROOT, "%.0f ns", h.reactorCpuNanosPerHop()) : "n/a",
                    userPerHop(h.cheapest()), userPerHop(h.dearest())));
            if (p.mode() == BenchMode.SPDK) {
                out.append(spdkLine(p));
            }
        }
        List<Aggregated> unstable = unstablePoints();
        if (!unstable.isEmpty()) {
            out.append(String.format(Locale.ROOT, "- **%d point(s) spread more than %.0f%% over their repetitions** (marked (!)): "
                    + "treat them as noise, not results.%n", unstable.size(), 100 * maxSpread));
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
                        a.throughput(), a.representative().percentileMicros(50), percent(vsCeiling(a)), ratio(vsUring(a))));
            }
        }
        return line.append('\n').toString();
    }

    private static String userPerHop(Aggregated a) {
        return a == null ? "n/a" : String.format(Locale.ROOT, "%.0f ns (T%d I%d)", a.representative().engineUserNanosPerHop(),
                a.point().threads(), a.point().inflight());
    }

    private static String verdict(boolean met, double value) {
        return Double.isNaN(value) ? "not measured" : met ? "met" : "NOT met";
    }

    static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2fx", r) : "-";
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
            row.put("repetitions", a.repetitions());
            row.put("spread", a.spread());
            row.put("unstable", unstable(a));
            row.put("vs_pread", a.point().mode().engine() ? vsPread(a) : Double.NaN);
            row.put("vs_uring", vsUring(a));
            row.put("device_ceiling", ceiling(a.point()));
            row.put("vs_device", vsCeiling(a));
            rows.add(row);
        }
        return rows;
    }
}
