package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.KeyValue;
import io.jxrp.bpfkv.load.LoadGenerator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
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

    @Option(names = "--json", description = "benchmark: print one JSON object instead of the original's lines")
    boolean json;

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
        try (BpfKv db = database.open(spec)) {
            for (long key : parsed) {
                Optional<byte[]> value = db.get(key);
                if (value.isPresent()) {
                    System.out.println(Long.toUnsignedString(key) + " " + KeyValue.valueText(value.get()));
                } else {
                    System.out.println(Long.toUnsignedString(key) + " not found (keys are 0.." + (db.layout().keyCount() - 1) + ")");
                    status = BpfKvCli.EXIT_NOT_FOUND;
                }
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
            if (!json) {
                int layers = db.layout().layers();
                System.out.printf(Locale.ROOT, "Running benchmark with %d %s, %d requests, and %d thread(s) (%s, %d in flight per thread, cache %d)%n",
                        layers, layers == 1 ? "layer" : "layers", requests, threads, database.describe(db), inflight,
                        db.options().cacheLevels());
            }
            long warm = warmup != null ? warmup : Math.min(requests / 10, 20_000);
            LoadGenerator.Result result = LoadGenerator.run(db,
                    new LoadGenerator.Config(threads, inflight, requests, warm, 0, seed));
            Histogram latency = result.latency();
            double seconds = result.elapsedNanos() / 1e9;
            double percentSlow = 100 * result.fractionAtLeastMillis(1);
            if (json) {
                System.out.printf(Locale.ROOT, "{\"mode\":\"%s\",\"backend\":\"%s\",\"layers\":%d,\"cache\":%d,\"threads\":%d,"
                                + "\"inflight\":%d,\"requests\":%d,\"seconds\":%.6f,\"throughput_ops\":%.1f,"
                                + "\"latency_us\":{\"mean\":%.3f,\"p50\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},"
                                + "\"pct_latency_ge_1ms\":%.4f,\"wrong_or_missing\":%d,\"engine_requests\":%d,\"fallbacks\":%d}%n",
                        db.options().mode().name().toLowerCase(Locale.ROOT), db.backendDescription().replace("\"", "'"),
                        db.layout().layers(), db.options().cacheLevels(), threads, inflight, result.requests(), seconds,
                        result.throughput(), latency.getMean() / 1e3, us(latency, 50), us(latency, 95), us(latency, 99),
                        us(latency, 99.9), latency.getMaxValue() / 1e3, percentSlow,
                        result.wrong(), db.stats().engineRequests(), db.stats().totalFallbacks());
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
