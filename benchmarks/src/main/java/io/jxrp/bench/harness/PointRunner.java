package io.jxrp.bench.harness;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.load.LoadGenerator;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.TargetSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;
import tools.jackson.databind.JsonNode;

/**
 * One repetition of one matrix point, in a JVM of its own (the harness starts one per measurement, so
 * no point inherits another's JIT state, heap or engine threads): opens the database as the point
 * says, warms up, measures, and writes its figures as JSON and its latency histogram as an
 * HdrHistogram log. Exit status 0 measured, 3 skipped (the configuration cannot run here: the
 * result says why), anything else a failure.
 */
public final class PointRunner {
    static final int EXIT_SKIPPED = 3;
    /** Shortest reactor user time worth dividing: 10 clock ticks. */
    private static final long MIN_USER_NANOS = 100_000_000;

    private PointRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: PointRunner RUN-SPEC.json (started by the harness)");
            System.exit(2);
        }
        System.exit(run(RunSpec.read(Path.of(args[0])), System.err));
    }

    static int run(RunSpec spec, PrintStream log) throws Exception {
        MatrixPoint point = spec.point();
        FunctionChoice.Resolved functions = point.mode().engine() ? FunctionChoice.resolve(point.function()) : null;
        if (functions != null && !functions.available()) {
            return skipped(spec, point.configuration() + ": " + functions.unavailableBecause());
        }
        EngineOptions engine = EngineOptions.defaults().withBackend(point.mode().backend)
                .withDigest(point.mode() == BenchMode.SPDK ? DigestKind.IDENTITY // a namespace is read as it is
                        : DigestKind.valueOf(spec.digest().trim().toUpperCase(Locale.ROOT)))
                .withReactors(Math.min(point.threads(), 64))
                .withMaxInflightRequests(Math.max(256, point.threads() * point.inflight()));
        BpfKvOptions options = BpfKvOptions.defaults().withMode(point.mode().dbMode)
                .withCacheLevels(Math.min(point.cacheLevels(), point.layers())).withEngine(engine);
        if (functions != null) {
            options = options.withFunctions(functions.factory());
        }
        BpfKv db;
        try {
            db = BpfKv.open(TargetSpec.parse(spec.target()), options);
        } catch (IOException | RuntimeException e) {
            return skipped(spec, point.configuration() + " on " + spec.target() + ": " + e.getMessage());
        }
        if (db.layout().layers() != point.layers()) {
            db.close();
            return skipped(spec, point.configuration() + " on " + spec.target() + ": holds a " + db.layout().layers()
                    + "-layer database, not " + point.layers() + " (write it there with --spdk-create, or bpfkv create / bpfkv copy)");
        }
        try (BpfKv kv = db) {
            PointResult r = measure(kv, spec);
            log.printf(Locale.ROOT, "%-40s rep %d: %9.0f lookups/s  p50 %7.1f us  p99 %7.1f us  cpu %6.1f us/lookup%s%s%s%n",
                    point.label(), spec.repetition(), r.throughput(), r.percentileMicros(50), r.percentileMicros(99),
                    r.cpuMicrosPerLookup(), Double.isFinite(r.engineCpuNanosPerHop())
                            ? String.format(Locale.ROOT, "  reactor cpu %.0f ns/hop", r.engineCpuNanosPerHop()) : "",
                    r.missedRate() ? String.format(Locale.ROOT, "  MISSED the offered %.0f/s", point.targetRate()) : "",
                    r.wrong() > 0 ? "  WRONG: " + r.wrong() : "");
            write(spec, r, kv.backendDescription());
        }
        return 0;
    }

    private static PointResult measure(BpfKv kv, RunSpec spec) throws Exception {
        MatrixPoint point = spec.point();
        if (spec.warmup() > 0) { // unmeasured, and outside the engine counters: JIT warm-up is not a per-hop cost
            LoadGenerator.run(kv, new LoadGenerator.Config(point.threads(), point.inflight(), spec.warmup(), 0,
                    point.targetRate(), ~spec.seed()));
        }
        var config = new LoadGenerator.Config(point.threads(), point.inflight(), spec.requests(), 0, point.targetRate(), spec.seed());
        Optional<EngineStats> before = kv.engineStats();
        LoadGenerator.Result result = LoadGenerator.run(kv, config);
        Optional<EngineStats> after = kv.engineStats();
        double hopsPerLookup = Double.NaN;
        double userNanosPerHop = Double.NaN;
        double cpuNanosPerHop = Double.NaN;
        if (before.isPresent() && after.isPresent()) {
            EngineStats b = before.get();
            EngineStats a = after.get();
            long hops = a.hops() - b.hops();
            hopsPerLookup = (double) hops / spec.requests();
            long user = a.reactorUserNanos() - b.reactorUserNanos();
            // per-thread user time comes in clock ticks (10 ms): below 100 ms it is more noise than figure
            if (a.reactorUserNanos() >= 0 && b.reactorUserNanos() >= 0 && hops > 0 && user >= MIN_USER_NANOS) {
                userNanosPerHop = (double) user / hops;
            }
            if (a.reactorCpuNanos() >= 0 && b.reactorCpuNanos() >= 0 && hops > 0) {
                cpuNanosPerHop = (double) (a.reactorCpuNanos() - b.reactorCpuNanos()) / hops;
            }
        }
        return new PointResult(point, spec.repetition(), spec.run(), kv.backendDescription(), result.requests(), result.wrong(),
                result.fallbacks(), result.elapsedNanos() / 1e9, result.latency(), result.cpuMicrosPerRequest(),
                hopsPerLookup, userNanosPerHop, cpuNanosPerHop);
    }

    private static int skipped(RunSpec spec, String why) throws IOException {
        Json.write(spec.result(), Map.of("skipped", why));
        return EXIT_SKIPPED;
    }

    private static void write(RunSpec spec, PointResult r, String backend) throws IOException {
        Files.createDirectories(spec.histogram().getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(spec.histogram()), false, java.nio.charset.StandardCharsets.UTF_8)) {
            HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment("jxrp harness: " + r.point().label() + ", repetition " + spec.repetition()
                    + ", latency in nanoseconds per lookup" + (r.point().openLoop() ? " from its scheduled start" : ""));
            writer.outputLogFormatVersion();
            writer.outputLegend();
            Histogram h = r.latency().copy();
            h.setStartTimeStamp(0);
            h.setEndTimeStamp((long) (r.seconds() * 1000));
            h.setTag("rep" + spec.repetition());
            writer.outputIntervalHistogram(h);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("requests", r.requests());
        m.put("wrong", r.wrong());
        m.put("fallbacks", r.fallbacks());
        m.put("seconds", r.seconds());
        m.put("cpu_us_per_lookup", r.cpuMicrosPerLookup());
        m.put("hops_per_lookup", r.hopsPerLookup());
        m.put("engine_user_ns_per_hop", r.engineUserNanosPerHop());
        m.put("engine_cpu_ns_per_hop", r.engineCpuNanosPerHop());
        Json.write(spec.result(), m);
    }

    /** What a child measured, read back with its histogram; empty with the reason when it skipped. */
    record Outcome(PointResult result, String skipped) {
    }

    static Outcome read(RunSpec spec) throws IOException {
        JsonNode n = Json.read(spec.result());
        if (n.has("skipped")) {
            return new Outcome(null, n.get("skipped").asString());
        }
        Histogram latency;
        try (var in = Files.newInputStream(spec.histogram())) {
            latency = (Histogram) new HistogramLogReader(in).nextIntervalHistogram();
        }
        if (latency == null) {
            throw new IOException(spec.histogram() + ": no histogram in the log");
        }
        return new Outcome(new PointResult(spec.point(), spec.repetition(), spec.run(), n.get("backend").asString(),
                n.get("requests").asLong(), n.get("wrong").asLong(), n.get("fallbacks").asLong(), n.get("seconds").asDouble(),
                latency, number(n, "cpu_us_per_lookup"), number(n, "hops_per_lookup"), number(n, "engine_user_ns_per_hop"),
                number(n, "engine_cpu_ns_per_hop")), null);
    }

    private static double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
