package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's results directory, kept current as the run goes: manifest.json at the start, then after
 * every measurement its row appended to points.csv and summary.csv, results.json and summary.md
 * rewritten (an interrupted run keeps everything it measured, summarised), the plots after every round.
 */
final class ResultsWriter {
    private final Path dir;
    private final Map<String, Object> manifest;
    private final double maxSpread;
    private final List<PointResult> results = new ArrayList<>();
    private final List<DeviceLimit> limits = new ArrayList<>();
    private final List<PeerRunner.Run> peers = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private List<Path> plots = List.of();
    private Csv.Appender points;

    ResultsWriter(Path dir, Map<String, Object> manifest, double maxSpread) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        this.maxSpread = maxSpread;
        Files.createDirectories(dir);
        Json.write(dir.resolve("manifest.json"), manifest);
    }

    Path dir() {
        return dir;
    }

    Summary summary() {
        return new Summary(results, limits, maxSpread);
    }

    List<String> skippedReasons() {
        return skipped;
    }

    List<String> failures() {
        return failures;
    }

    void add(PointResult r) throws IOException {
        results.add(r);
        if (points == null) {
            points = Csv.Appender.create(dir.resolve("points.csv"), new ArrayList<>(r.row().keySet()));
        }
        points.append(r.row());
        write();
    }

    void add(DeviceLimit l) throws IOException {
        limits.add(l);
        Csv.write(dir.resolve("device-limits.csv"), limits.stream().map(DeviceLimit::row).toList());
        write();
    }

    void add(PeerRunner.Run r) throws IOException {
        peers.add(r);
        Csv.write(dir.resolve("peers.csv"), peers.stream().map(PeerRunner.Run::row).toList());
        write();
    }

    void skipped(String why) throws IOException {
        if (!skipped.contains(why)) {
            skipped.add(why);
            System.err.println("skipping " + why);
            write();
        }
    }

    void failed(String what) throws IOException {
        failures.add(what);
        System.err.println("FAILED: " + what);
        write();
    }

    void writePlots() throws IOException {
        plots = Plots.write(dir, summary(), peers);
        write();
    }

    void finish() throws IOException {
        Json.write(dir.resolve("manifest.json"), manifest);
        writePlots();
        if (points != null) {
            points.close();
        }
    }

    /** summary.csv, results.json and summary.md from everything so far. */
    private void write() throws IOException {
        Summary summary = summary();
        Csv.write(dir.resolve("summary.csv"), summary.rows());
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("manifest", manifest);
        all.put("device_limits", limits.stream().map(DeviceLimit::row).toList());
        all.put("points", results.stream().map(PointResult::row).toList());
        all.put("summary", summary.rows());
        all.put("peers", peers.stream().map(PeerRunner.Run::row).toList());
        all.put("skipped", skipped);
        all.put("failed", failures);
        all.put("warnings", summary.driftWarnings());
        Json.write(dir.resolve("results.json"), all);
        Files.writeString(dir.resolve("summary.md"), markdown(summary), StandardCharsets.UTF_8);
    }

    private static boolean sameAsPeer(MatrixPoint p, PeerRunner.Run r) {
        return !p.openLoop() && p.layers() == r.layers() && p.threads() == r.threads() && p.cacheLevels() == 0;
    }

    private String markdown(Summary summary) {
        Map<String, Object> m = manifest;
        StringBuilder md = new StringBuilder("# jxrp benchmark summary\n\n");
        md.append(String.format(Locale.ROOT, "%s, kernel %s, %s (%s CPUs online), governor %s, SMT active %s, turbo %s; "
                        + "device %s (%s, logical block %s B, I/O scheduler %s, virtual: %s, %s hardware queue(s), interrupts: %s), "
                        + "file system %s; load before %s, after %s; preset %s; commit %s%s.%n%n",
                show(m, "host"), show(m, "kernel"), show(m, "cpu_model"), show(m, "cores_online"), show(m, "governor"),
                show(m, "smt_active"), show(m, "turbo"), show(m, "device"), show(m, "device_model"), show(m, "logical_block_size"),
                show(m, "io_scheduler"), show(m, "virtual_device"), show(m, "hw_queues"), show(m, "queue_interrupts"),
                show(m, "file_system"), show(m, "load_average"), show(m, "load_average_after"), show(m, "preset"),
                show(m, "git_commit"), Boolean.TRUE.equals(m.get("git_dirty")) ? " (with local changes)" : ""));
        if (m.get("notes") instanceof List<?> notes && !notes.isEmpty()) {
            md.append("## Notes on the set-up\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
        if (!failures.isEmpty()) {
            md.append("## Failed\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
            md.append('\n');
        }
        md.append("## Headline\n\n").append(summary.headlineText()).append('\n');
        md.append("## Points\n\nEvery repetition ran in a JVM of its own, the repetitions interleaved across the points "
                + "(round r measured each point once, in a shuffled order). lookups/s, latencies and CPU figures: the repetition "
                + "with the median throughput; spread: (max - min) / median throughput over the repetitions; floor: the "
                + "least mean latency the device allows at the point's depth (reads per lookup x the device's mean read "
                + "latency there). vs pread: throughput over the pread baseline at the same thread count, the geometric "
                + "mean of the per-round ratios with its 95% confidence interval; vs device: over the device ceiling "
                + "(random-read IOPS at the point's depth / reads per lookup), with the interval of the point's repetitions. "
                + "Engine ns/hop: the reactor threads' CPU time per hop, user mode alone (the engine, the storage function "
                + "and the load generator's callbacks) / user + kernel (adds the kernel's I/O path). User time comes in "
                + "clock ticks: short runs show '-'. Open-loop points run every configuration at the same offered rates "
                + "(@rate/s); (missed): achieved below 95% of the rate.\n\n");
        md.append(summary.table()).append('\n');
        md.append("## Device limit (same file, same run: measured before and after the points)\n\n")
                .append(summary.limitsTable()).append('\n');
        if (summary.hasLimits(DeviceLimit.NAMESPACE)) {
            md.append("## Device limit of the namespace (spdk_nvme_perf on ").append(show(m, "spdk_target"))
                    .append(", one core, the spdk points' depths, same run: before and after the points)\n\n")
                    .append(summary.limitsTable(DeviceLimit.NAMESPACE)).append('\n');
        }
        if (!peers.isEmpty()) {
            md.append("## Peer binary (same database)\n\njxrp columns: the same layers and thread count in this run, "
                    + "closed loop, no cache (the fastest engine configuration, and pread), over the peer's throughput, "
                    + "with 95% intervals over the repetitions of both.\n\n"
                    + "| command | runs | lookups/s | mean us | p95 us | p99 us | p99.9 us | jxrp engine best / peer | jxrp pread / peer | note |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            Map<String, List<PeerRunner.Run>> byCommand = new LinkedHashMap<>();
            peers.forEach(r -> byCommand.computeIfAbsent(r.command(), k -> new ArrayList<>()).add(r));
            for (List<PeerRunner.Run> runs : byCommand.values()) {
                PeerRunner.Run r = runs.getLast();
                List<PeerRunner.Run> good = runs.stream().filter(x -> x.output() != null).toList();
                if (good.isEmpty()) {
                    md.append(String.format("| `%s` | %d | - | - | - | - | - | - | - | %s |%n", r.command(), runs.size(),
                            r.error().replace('|', '/')));
                    continue;
                }
                double[] peer = good.stream().mapToDouble(x -> x.output().throughput()).toArray();
                PeerOutput o = good.getLast().output();
                Ratio engineBest = summary.points().stream().filter(a -> sameAsPeer(a.point(), r) && a.point().mode().engine())
                        .max(java.util.Comparator.comparingDouble(Summary.Aggregated::throughput))
                        .map(a -> Ratio.unpaired(a.throughputs(), peer)).orElse(Ratio.NONE);
                Ratio pread = summary.points().stream().filter(a -> sameAsPeer(a.point(), r) && !a.point().mode().engine())
                        .findFirst().map(a -> Ratio.unpaired(a.throughputs(), peer)).orElse(Ratio.NONE);
                md.append(String.format(Locale.ROOT, "| `%s` | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s |%n", r.command(),
                        runs.size(), o.throughput(), o.meanMicros(), o.p95Micros(), o.p99Micros(), o.p999Micros(),
                        engineBest.format(), pread.format(), good.size() < runs.size() ? (runs.size() - good.size()) + " failed" : ""));
            }
            md.append('\n');
        }
        List<String> warnings = summary.driftWarnings();
        if (!warnings.isEmpty()) {
            md.append("## Warnings\n\n");
            warnings.forEach(w -> md.append("- ").append(w).append('\n'));
            md.append('\n');
        }
        if (!skipped.isEmpty()) {
            md.append("## Skipped\n\n");
            skipped.forEach(s -> md.append("- ").append(s).append('\n'));
            md.append('\n');
        }
        if (!plots.isEmpty()) {
            md.append("## Plots\n\n");
            plots.forEach(p -> md.append("![").append(p.getFileName()).append("](").append(p.getFileName()).append(")\n"));
        }
        md.append("\nLatency histograms of every repetition: `hlog/<point>-rep<N>.hlog` (HdrHistogram logs, nanoseconds; "
                + "HistogramLogProcessor and HdrHistogram's plotter read them).\n");
        return md.toString();
    }

    private static String show(Map<String, Object> m, String key) {
        return Manifest.show(m.get(key));
    }
}
