package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.load.LoadGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
        header = "Looks up keys, or benchmarks random lookups (--requests).",
        description = {"Looks up KEYs, or with --requests runs the original's closed-loop random-lookup benchmark",
                "and prints its lines (Average throughput ..., 95%%/99%%/99.9%% latency, requests >= 1ms)."})
final class GetCommand implements Callable<Integer> {
    /** Lookups one benchmark may ask for: about three hours at a million lookups a second. */
    static final long MAX_REQUESTS = 10_000_000_000L;
    /** Keys one command line may look up. */
    static final int MAX_KEYS = 100_000;
    /** Lookups outstanding per thread at most, and over all threads (the engine's in-flight limit). */
    static final int MAX_INFLIGHT = 65_536;

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "1..*", paramLabel = "KEY", arity = "0..*", description = "keys to look up: decimal, 0..2^64-2")
    String[] keys = new String[0];

    @Option(names = "--requests", paramLabel = "N", defaultValue = "0",
            description = "benchmark: total lookups over all threads, 1..10^10")
    long requests;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1", description = "benchmark: client threads, 1..64 (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--inflight", paramLabel = "I", defaultValue = "1",
            description = "benchmark: lookups outstanding per thread, 1..65536 over all threads (engine mode; default ${DEFAULT-VALUE})")
    int inflight;

    @Option(names = "--warmup", paramLabel = "N",
            description = "benchmark: unmeasured lookups first, 0..--requests (default: a tenth of --requests, at most 20000)")
    Long warmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "benchmark: key sequence seed (default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    JsonOutput json;

    @Option(names = "--no-progress", description = "benchmark: no progress bar (there is none when stderr is not a terminal)")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        database.validate(spec);
        if (requests == 0) {
            if (keys.length == 0) {
                throw new ParameterException(spec.commandLine(), "give KEYs to look up, or --requests N to benchmark");
            }
            if (keys.length > MAX_KEYS) {
                throw new ParameterException(spec.commandLine(), keys.length + " KEYs: at most " + MAX_KEYS + " per command");
            }
            long[] parsed = new long[keys.length];
            for (int i = 0; i < keys.length; i++) {
                parsed[i] = Arguments.key(spec, "KEY", keys[i]);
            }
            return lookup(parsed);
        }
        if (keys.length > 0) {
            throw new ParameterException(spec.commandLine(), "give KEYs or --requests, not both");
        }
        Arguments.range(spec, "--requests", requests, 1, MAX_REQUESTS);
        Arguments.range(spec, "--threads", threads, 1, DatabaseOptions.MAX_REACTORS);
        Arguments.range(spec, "--inflight", inflight, 1, MAX_INFLIGHT);
        Arguments.range(spec, "--threads x --inflight", (long) threads * inflight, 1, MAX_INFLIGHT);
        if (warmup != null) {
            Arguments.range(spec, "--warmup", warmup, 0, requests);
        }
        if (inflight > 1 && "pread".equalsIgnoreCase(database.mode)) {
            throw new ParameterException(spec.commandLine(), "--inflight > 1 needs --mode engine: pread is synchronous, use --threads");
        }
        return benchmark();
    }

    private int lookup(long[] parsed) throws Exception {
        int status = 0;
        List<Map<String, Object>> found = new ArrayList<>();
        try (BpfKv db = database.open(spec)) {
            for (long key : parsed) {
                Optional<byte[]> value = db.get(key);
                if (json.enabled) {
                    found.add(JsonOutput.object("key", Long.toUnsignedString(key), "found", value.isPresent(),
                            "value", value.map(KeyValue::valueText).orElse(null)));
                } else if (value.isPresent()) {
                    System.out.println(Long.toUnsignedString(key) + " " + KeyValue.valueText(value.get()));
                } else {
                    System.out.println(Long.toUnsignedString(key) + " not found" + (db.layout().isDense()
                            ? " (keys are 0.." + (db.layout().keyCount() - 1) + ")" : ""));
                }
                if (value.isEmpty()) {
                    status = BpfKvCli.EXIT_NOT_FOUND;
                }
            }
            if (json.enabled) {
                JsonOutput.print(JsonOutput.object("database", database.target, "lookups", found));
            }
        }
        return status;
    }

    private int benchmark() throws Exception {
        BpfKvOptions options = database.options(spec);
        if (database.reactors == null) { // as many engine threads as pread would use
            options = options.withEngine(options.engine().withReactors(threads));
        }
        if (options.mode() == BpfKvOptions.Mode.ENGINE && inflight * threads > options.engine().maxInflightRequests()) {
            options = options.withEngine(options.engine().withMaxInflightRequests(inflight * threads));
        }
        try (BpfKv db = database.open(options)) {
            if (!json.enabled) {
                int layers = db.layout().layers();
                System.out.printf(Locale.ROOT, "Running benchmark with %d %s, %d requests, and %d thread(s) (%s, %d in flight per thread, cache %d)%n",
                        layers, layers == 1 ? "layer" : "layers", requests, threads, database.describe(db), inflight,
                        db.options().cacheLevels());
            }
            long warm = warmup != null ? warmup : Math.min(requests / 10, 20_000);
            LoadGenerator.Config config = new LoadGenerator.Config(threads, inflight, requests, warm, 0, seed);
            LoadGenerator.Result result;
            ProgressBar bar = Progress.bar(noProgress, "get", warm + requests, null, 1);
            if (bar == null) {
                result = LoadGenerator.run(db, config);
            } else {
                try (bar) { // the warm-up first, then the measured lookups, on one bar
                    result = LoadGenerator.run(db, config, (warmup, done, total) -> bar.stepTo(warmup ? done : warm + done));
                }
            }
            Histogram latency = result.latency();
            double seconds = result.elapsedNanos() / 1e9;
            double percentSlow = 100 * result.fractionAtLeastMillis(1);
            if (json.enabled) {
                JsonOutput.print(JsonOutput.object("mode", db.options().mode().name().toLowerCase(Locale.ROOT),
                        "backend", db.backendDescription(), "layers", db.layout().layers(), "cache", db.options().cacheLevels(),
                        "threads", threads, "inflight", inflight, "requests", result.requests(), "seconds", seconds,
                        "throughput_ops", result.throughput(),
                        "latency_us", JsonOutput.object("mean", latency.getMean() / 1e3, "p50", us(latency, 50), "p95", us(latency, 95),
                                "p99", us(latency, 99), "p999", us(latency, 99.9), "max", latency.getMaxValue() / 1e3),
                        "pct_latency_ge_1ms", percentSlow, "wrong_or_missing", result.wrong(),
                        "engine_requests", db.stats().engineRequests(), "fallbacks", db.stats().totalFallbacks()));
            } else {
                System.out.printf(Locale.ROOT, "Average throughput: %f op/s latency: %f usec%n", result.throughput(), latency.getMean() / 1e3);
                System.out.printf(Locale.ROOT, "50%%   latency: %f us%n", us(latency, 50));
                System.out.printf(Locale.ROOT, "95%%   latency: %f us%n", us(latency, 95));
                System.out.printf(Locale.ROOT, "99%%   latency: %f us%n", us(latency, 99));
                System.out.printf(Locale.ROOT, "99.9%% latency: %f us%n", us(latency, 99.9));
                System.out.printf(Locale.ROOT, "Percentage of requests with latency >= 1ms: %f%%%n", percentSlow);
                if (db.stats().totalFallbacks() > 0) {
                    System.out.println("Fallbacks to pread: " + db.stats().fallbacks());
                }
            }
            if (result.wrong() > 0) {
                System.err.printf("bpfkv get: %d lookups returned a wrong or missing value%n", result.wrong());
                return BpfKvCli.EXIT_INTERNAL;
            }
        }
        return 0;
    }

    private static double us(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
