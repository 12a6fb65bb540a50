package io.jxrp.bench.harness;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.load.LoadGenerator;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.TargetSpec;
import io.jxrp.nvme.spdk.SpdkInstall;
import io.jxrp.nvme.spdk.TransportId;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The macro harness: runs a matrix of BPF-KV lookup benchmarks (engine on each backend, storage
 * functions, layers, threads, in-flight lookups, cache levels; closed loop and open loop at rates
 * relative to the closed-loop maximum), measures the device limit on the same file in the same run,
 * optionally runs a peer BPF-KV binary on the same database, and writes CSV, JSON, an environment
 * manifest, PNG plots and a Markdown summary to {@code results/<host>-<timestamp>/}.
 */
@Command(name = "harness", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"BPF-KV lookups through the jxrp engine vs the pread baseline vs the device limit, in one run.",
                "Results: <out>/<host>-<timestamp>/{points.csv,summary.csv,results.json,manifest.json,device-limits.csv,peers.csv,summary.md,*.png}"})
public final class Harness implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "where the databases are (bpfkv-<L>.db; created when missing) (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--db", paramLabel = "FILE", description = "one existing database instead of --data/--layers (layers inferred)")
    Path db;

    @Option(names = "--layers", split = ",", defaultValue = "4", description = "index layers (default ${DEFAULT-VALUE})")
    List<Integer> layers;

    @Option(names = "--modes", split = ",", defaultValue = "uring,java,pread",
            description = {"uring (engine, io_uring shim), passthru (engine, NVMe passthrough; needs --digest fiemap), java",
                    "(engine, FileChannel backend), spdk (engine, SPDK's driver on the namespace --spdk-target names),",
                    "pread (default ${DEFAULT-VALUE})"})
    List<String> modes;

    @Option(names = "--spdk-target", paramLabel = "NAMESPACE",
            description = {"the namespace spdk mode reads, spdk:<transport ID> [ns:N]: it holds the database from offset 0",
                    "(an aio bdev over the database file, or any namespace with --spdk-create); its device limit comes",
                    "from spdk_nvme_perf on the same namespace at the spdk points' depths, before and after the points"})
    String spdkTarget;

    @Option(names = "--spdk-create",
            description = {"write each layer count's database onto --spdk-target (bpfkv create through the engine, the",
                    "same bytes as the file) before its spdk points: overwrites the namespace"})
    boolean spdkCreate;

    @Option(names = "--spdk-serve", paramLabel = "poll|interrupt", arity = "0..1", fallbackValue = "poll",
            description = {"instead of --spdk-target: start SPDK's nvmf_tgt (SPDK_DIR, else /usr/local, /opt/spdk*) on",
                    "127.0.0.1 exporting each database file as an aio namespace, so spdk mode reads the very file the",
                    "other modes read; its reactor on the last CPU, polling (as SPDK runs; it keeps that core busy for",
                    "the whole run) or in interrupt mode; stopped at the end"})
    String spdkServe;

    @Option(names = "--functions", split = ",", defaultValue = "java",
            description = "engine storage functions: java, bpf-jit, bpf-interp; unavailable ones are skipped with the reason (default ${DEFAULT-VALUE})")
    List<String> functions;

    @Option(names = "--threads", split = ",", defaultValue = "1,2",
            description = "load threads; the engine runs one reactor per thread (default ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--inflight", split = ",", defaultValue = "1,8,32",
            description = "engine lookups in flight per thread; pread is always 1 (default ${DEFAULT-VALUE})")
    List<Integer> inflight;

    @Option(names = "--cache", split = ",", defaultValue = "0", description = "cached top levels (default ${DEFAULT-VALUE})")
    List<Integer> cache;

    @Option(names = "--requests", defaultValue = "20000", description = "measured lookups per engine point (default ${DEFAULT-VALUE})")
    long requests;

    @Option(names = "--pread-requests", defaultValue = "-1",
            description = "measured lookups per pread point (default: --requests)")
    long preadRequests;

    @Option(names = "--warmup", defaultValue = "-1", description = "warm-up lookups per point (default: a tenth of its requests)")
    long warmup;

    @Option(names = "--repetitions", defaultValue = "1", description = "repetitions per point (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--max-spread", defaultValue = "0.10",
            description = "flag points whose (max-min)/median throughput over repetitions exceeds this (default ${DEFAULT-VALUE})")
    double maxSpread;

    @Option(names = "--open-loop", split = ",",
            description = "open-loop rates as fractions of each closed-loop point's throughput, e.g. 0.25,0.5,0.75,0.9 (default: none)")
    List<Double> openLoop = new ArrayList<>();

    @Option(names = "--device-seconds", defaultValue = "2", description = "seconds per device-limit depth (default ${DEFAULT-VALUE})")
    double deviceSeconds;

    @Option(names = "--fio", paramLabel = "PATH|none", description = "fio executable (default: fio on PATH; 'none': the shim's raw reads)")
    String fio;

    @Option(names = "--no-device-limit", description = "skip the device-limit measurement")
    boolean noDeviceLimit;

    @Option(names = "--peer", paramLabel = "PATH", description = "another BPF-KV binary to run on the same database (e.g. the original simplekv)")
    Path peer;

    @Option(names = "--peer-args", paramLabel = "TEMPLATE", defaultValue = PeerRunner.DEFAULT_TEMPLATE,
            description = "the peer's arguments; {db} {layers} {requests} {threads} are replaced (default: ${DEFAULT-VALUE})")
    String peerArgs;

    @Option(names = "--peer-timeout", defaultValue = "900", description = "seconds per peer run (default ${DEFAULT-VALUE})")
    long peerTimeout;

    @Option(names = "--digest", defaultValue = "identity", description = "engine digest: identity or fiemap (root) (default ${DEFAULT-VALUE})")
    String digest;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results", description = "results root (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--name", description = "results directory name (default <host>-<timestamp>)")
    String name;

    @Option(names = "--seed", defaultValue = "42", description = "key sequence seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--sysfs-root", hidden = true, defaultValue = "/")
    Path sysfsRoot;

    /** Shortest reactor user time worth dividing: 10 clock ticks. */
    private static final long MIN_USER_NANOS = 100_000_000;

    private final PrintStream log = System.err;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Harness()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        Map<Integer, Path> databases = databases();
        Path primary = databases.values().iterator().next();
        Map<String, Object> manifest = Manifest.collect(sysfsRoot, primary, Path.of("").toAbsolutePath());
        try (SpdkNamespaces namespaces = spdkNamespaces(databases)) {
            if (namespaces != null) {
                manifest.put("spdk_target", namespaces.primary().toString());
                manifest.put("spdk_served", namespaces.served());
                manifest.put("spdk_install", SpdkInstall.find().map(i -> i.root().toString()).orElse(Manifest.UNKNOWN));
            }
            this.namespaces = namespaces;
            return run(manifest, databases, primary);
        } finally {
            this.namespaces = null;
        }
    }

    /** The namespaces spdk mode reads (null when it does not run, or SPDK is absent). */
    private SpdkNamespaces namespaces;

    private SpdkNamespaces spdkNamespaces(Map<Integer, Path> databases) throws IOException {
        if (modes.stream().noneMatch(m -> BenchMode.parse(m) == BenchMode.SPDK) || SpdkInstall.unavailableReason() != null) {
            return null;
        }
        if (spdkServe != null) {
            return SpdkNamespaces.serve(databases, out.resolve(".nvmf_tgt"), spdkServe.equals("interrupt"), log);
        }
        return SpdkNamespaces.given(TargetSpec.parse(spdkTarget));
    }

    private Integer run(Map<String, Object> manifest, Map<Integer, Path> databases, Path primary) throws Exception {
        String dirName = name != null ? name
                : manifest.get("host") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out.resolve(dirName);
        Files.createDirectories(dir);
        log.printf("results go to %s%n", dir);

        List<String> skipped = new ArrayList<>();
        List<DeviceLimit> limits = new ArrayList<>(noDeviceLimit ? List.of() : deviceLimits(primary, "before", skipped));
        List<PointResult> results = runMatrix(databases, skipped);
        if (!noDeviceLimit) {
            limits.addAll(deviceLimits(primary, "after", skipped));
        }
        List<PeerRunner.Run> peers = runPeers(databases);

        Summary summary = new Summary(results, limits, maxSpread);
        manifest.put("load_average_after", Manifest.read(sysfsRoot, "proc/loadavg"));
        write(dir, manifest, limits, results, summary, peers, skipped);
        System.out.print(summary.table());
        System.out.println();
        System.out.print(summary.headlineText());
        if (!skipped.isEmpty()) {
            skipped.forEach(s -> System.out.println("- skipped: " + s));
        }
        System.out.println("\nresults: " + dir.toAbsolutePath());
        if (results.isEmpty()) {
            System.err.println("harness: no point could be measured (see the skipped reasons above)");
            return 2;
        }
        return 0;
    }

    private void validate() {
        CommandLine cl = new CommandLine(this);
        if (requests < 1 || repetitions < 1 || deviceSeconds <= 0 || maxSpread < 0) {
            throw new CommandLine.ParameterException(cl, "--requests, --repetitions and --device-seconds must be positive");
        }
        for (int t : threads) {
            if (t < 1) {
                throw new CommandLine.ParameterException(cl, "--threads must be >= 1");
            }
        }
        for (int i : inflight) {
            if (i < 1) {
                throw new CommandLine.ParameterException(cl, "--inflight must be >= 1");
            }
        }
        for (double f : openLoop) {
            if (f <= 0) {
                throw new CommandLine.ParameterException(cl, "--open-loop fractions must be > 0");
            }
        }
        for (int c : cache) {
            if (c < 0 || c > BpfKvOptions.MAX_CACHE_LEVELS) {
                throw new CommandLine.ParameterException(cl, "--cache levels must be 0.." + BpfKvOptions.MAX_CACHE_LEVELS);
            }
        }
        boolean spdkMode;
        try {
            spdkMode = modes.stream().anyMatch(m -> BenchMode.parse(m) == BenchMode.SPDK);
            if (spdkTarget != null && !TargetSpec.parse(spdkTarget).isSpdk()) {
                throw new IllegalArgumentException("--spdk-target must be a namespace, spdk:<transport ID> [ns:N], not '"
                        + spdkTarget + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (spdkMode && (spdkTarget == null) == (spdkServe == null)) {
            throw new CommandLine.ParameterException(cl, "--modes spdk reads a namespace: name one with --spdk-target "
                    + "'spdk:<transport ID> [ns:N]', or --spdk-serve to export the database files (one or the other)");
        }
        if (spdkServe != null && !spdkServe.equals("poll") && !spdkServe.equals("interrupt")) {
            throw new CommandLine.ParameterException(cl, "--spdk-serve takes poll or interrupt, not '" + spdkServe + "'");
        }
        if (spdkCreate && spdkTarget == null) {
            throw new CommandLine.ParameterException(cl, "--spdk-create writes onto --spdk-target");
        }
        try {
            modes.forEach(BenchMode::parse);
            functions.forEach(FunctionChoice::normalize);
            DigestKind.valueOf(digest.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().startsWith("No enum constant")
                    ? "--digest must be identity or fiemap, not '" + digest + "'" : e.getMessage());
        }
        if (modes.stream().map(BenchMode::parse).anyMatch(m -> m == BenchMode.PASSTHRU)
                && DigestKind.valueOf(digest.trim().toUpperCase(Locale.ROOT)) != DigestKind.FIEMAP) {
            throw new CommandLine.ParameterException(cl, "--modes passthru reads database files through the FIEMAP digest "
                    + "(NVMe commands on the namespace under their file system): add --digest fiemap");
        }
    }

    /** Layer count -> database file, creating missing ones under --data. */
    private Map<Integer, Path> databases() throws IOException {
        Map<Integer, Path> dbs = new LinkedHashMap<>();
        if (db != null) {
            if (!Files.exists(db)) {
                throw new IOException(db + ": no such database");
            }
            try (BpfKv opened = BpfKv.open(db, BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD))) {
                dbs.put(opened.layout().layers(), db);
            }
            return dbs;
        }
        if (spdkCreate && modes.stream().allMatch(m -> BenchMode.parse(m) == BenchMode.SPDK)) {
            for (int l : new TreeSet<>(layers)) { // spdk alone, writing its own databases: no file is read
                dbs.put(l, null);
            }
            return dbs;
        }
        Files.createDirectories(data);
        for (int l : new TreeSet<>(layers)) {
            Path file = data.resolve("bpfkv-" + l + ".db");
            if (!Files.exists(file) || Files.size(file) != new TreeLayout(l).fileSizeBytes()) {
                log.printf("creating %s (%d layers, %.1f MiB)%n", file, l, new TreeLayout(l).fileSizeBytes() / 1048576.0);
                DbBuilder.create(file, l, DbBuilder.Options.defaults().withForce(true));
            }
            dbs.put(l, file);
        }
        return dbs;
    }

    /** Depths the points of {@code device} reach (1 always): threads x in flight, threads for pread. */
    private Set<Integer> depths(String device) {
        Set<Integer> depths = new TreeSet<>();
        depths.add(1);
        for (String m : modes) {
            BenchMode mode = BenchMode.parse(m);
            if (!DeviceLimit.deviceOf(new MatrixPoint(mode, "-", 1, 1, 1, 0, 0)).equals(device)) {
                continue;
            }
            for (int t : threads) {
                if (mode.engine()) {
                    for (int i : inflight) {
                        depths.add(t * i);
                    }
                } else {
                    depths.add(t);
                }
            }
        }
        return depths;
    }

    /** The file's limits, and the namespace's when spdk mode runs. */
    private List<DeviceLimit> deviceLimits(Path file, String phase, List<String> skipped)
            throws IOException, InterruptedException {
        List<DeviceLimit> limits = new ArrayList<>(fileLimits(file, phase));
        if (modes.stream().anyMatch(m -> BenchMode.parse(m) == BenchMode.SPDK)) {
            String why = SpdkInstall.unavailableReason();
            if (why != null) {
                String reason = "spdk_nvme_perf (the namespace's device limit): " + why;
                if (!skipped.contains(reason)) {
                    skipped.add(reason);
                }
                log.println("no namespace device limit: " + why);
                return limits;
            }
            if (namespaces == null) {
                return limits;
            }
            TransportId namespace = TransportId.parse(namespaces.primary().toString());
            SpdkPerfProbe probe = new SpdkPerfProbe(SpdkInstall.find().orElseThrow(), namespace, 512, deviceSeconds);
            for (int depth : depths(DeviceLimit.NAMESPACE)) {
                try {
                    DeviceLimit l = probe.measure(depth, phase);
                    log.printf(Locale.ROOT, "namespace limit %s: depth %d: %.0f IOPS (%s)%n", phase, depth, l.iops(),
                            String.join(" ", probe.command(depth)));
                    limits.add(l);
                } catch (IOException e) {
                    log.printf("namespace limit %s unavailable at depth %d: %s%n", phase, depth, e.getMessage());
                }
            }
        }
        return limits;
    }

    private List<DeviceLimit> fileLimits(Path file, String phase) throws IOException, InterruptedException {
        if (file == null) {
            return List.of();
        }
        Set<Integer> depths = depths(DeviceLimit.FILE);
        String fioPath = fio == null ? DeviceLimitProbe.findFio() : fio.equals("none") ? null : fio;
        DeviceLimitProbe probe = new DeviceLimitProbe(file, 512, deviceSeconds, fioPath);
        List<DeviceLimit> limits = new ArrayList<>();
        for (int depth : depths) {
            DeviceLimit l;
            try {
                l = probe.measure(depth, phase);
            } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                // no fio and no native shim (or a device that refuses): the run goes on without a ceiling
                log.printf("device limit %s unavailable at depth %d: %s%n", phase, depth, e);
                continue;
            }
            log.printf(Locale.ROOT, "device limit %s: depth %d: %.0f IOPS (%s, 512 B random reads)%n", phase, depth, l.iops(), l.tool());
            limits.add(l);
        }
        return limits;
    }

    private List<PointResult> runMatrix(Map<Integer, Path> databases, List<String> skipped) throws Exception {
        List<PointResult> results = new ArrayList<>();
        Set<String> functionNames = new LinkedHashSet<>();
        functions.forEach(f -> functionNames.add(FunctionChoice.normalize(f)));
        for (Map.Entry<Integer, Path> entry : databases.entrySet()) {
            int l = entry.getKey();
            for (int c : new LinkedHashSet<>(cache)) {
                for (String modeName : modes) {
                    BenchMode mode = BenchMode.parse(modeName);
                    for (String function : mode.engine() ? functionNames : Set.of("-")) {
                        FunctionChoice.Resolved resolved = mode.engine() ? FunctionChoice.resolve(function) : null;
                        if (resolved != null && !resolved.available()) {
                            String why = mode + "/" + function + ": " + resolved.unavailableBecause();
                            if (!skipped.contains(why)) {
                                skipped.add(why);
                                log.println("skipping " + why);
                            }
                            continue;
                        }
                        TargetSpec target = entry.getValue() == null ? null : TargetSpec.of(entry.getValue());
                        if (mode == BenchMode.SPDK) {
                            String why = SpdkInstall.unavailableReason();
                            if (why != null) {
                                String reason = "spdk: " + why;
                                if (!skipped.contains(reason)) {
                                    skipped.add(reason);
                                    log.println("skipping " + reason);
                                }
                                continue;
                            }
                            target = namespaceHolding(l);
                        }
                        results.addAll(runDatabase(target, l, c, mode, function, resolved, skipped));
                    }
                }
            }
        }
        return results;
    }

    /** The layer count --spdk-create last wrote onto the namespace (0: none yet). */
    private int createdLayers;

    /**
     * The namespace holding the database of {@code layerCount} layers: the served one over its file,
     * or the given one, written with --spdk-create (once per layer count in a row); otherwise it must
     * hold that database already, which opening it checks.
     */
    private TargetSpec namespaceHolding(int layerCount) throws IOException {
        TargetSpec namespace = namespaces.holding(layerCount);
        if (spdkCreate && createdLayers != layerCount) {
            log.printf("creating %d layers on %s%n", layerCount, namespace);
            DbBuilder.Result created = DbBuilder.create(namespace, layerCount, DbBuilder.Options.defaults()
                    .withForce(true).withBuffers(1 << 20, 3));
            log.printf(Locale.ROOT, "created %.1f MiB in %.2f s%n", created.sizeBytes() / 1048576.0,
                    created.elapsedNanos() / 1e9);
            createdLayers = layerCount;
        }
        return namespace;
    }

    /**
     * Every thread/in-flight point of one (database, cache, mode, function). The engine runs one
     * reactor per load thread (as many engine threads as the pread baseline has), so the database
     * is opened once per thread count.
     */
    private List<PointResult> runDatabase(TargetSpec target, int l, int c, BenchMode mode, String function,
                                          FunctionChoice.Resolved resolved, List<String> skipped) throws Exception {
        int maxInflight = 1;
        for (int i : inflight) {
            maxInflight = Math.max(maxInflight, i);
        }
        List<PointResult> results = new ArrayList<>();
        for (int t : threads) {
            EngineOptions engine = EngineOptions.defaults().withBackend(mode.backend)
                    .withDigest(mode == BenchMode.SPDK ? DigestKind.IDENTITY // a namespace is read as it is
                            : DigestKind.valueOf(digest.trim().toUpperCase(Locale.ROOT)))
                    .withReactors(Math.min(t, 64))
                    .withMaxInflightRequests(Math.max(256, t * maxInflight));
            BpfKvOptions options = BpfKvOptions.defaults().withMode(mode.dbMode).withCacheLevels(Math.min(c, l))
                    .withEngine(engine);
            if (resolved != null) {
                options = options.withFunctions(resolved.factory());
            }
            BpfKv kv;
            try {
                kv = BpfKv.open(target, options);
                if (kv.layout().layers() != l) {
                    kv.close();
                    throw new IOException("holds a " + kv.layout().layers() + "-layer database, not " + l
                            + " (write it there with --spdk-create, or bpfkv create / bpfkv copy)");
                }
            } catch (IOException | RuntimeException e) {
                String why = mode + " on " + target + ": " + e.getMessage();
                skipped.add(why);
                log.println("skipping " + why);
                return results;
            }
            try (BpfKv opened = kv) {
                String backend = opened.backendDescription();
                for (int i : mode.engine() ? new LinkedHashSet<>(inflight) : Set.of(1)) {
                    MatrixPoint point = new MatrixPoint(mode, mode.engine() ? function : "-", l, t, i, c, 0);
                    List<PointResult> reps = new ArrayList<>();
                    for (int r = 0; r < repetitions; r++) {
                        reps.add(measure(opened, backend, point, r));
                    }
                    results.addAll(reps);
                    double closedThroughput = Summary.aggregate(reps).getFirst().throughput();
                    for (double fraction : openLoop) {
                        MatrixPoint open = point.atRate(Math.max(1, fraction * closedThroughput));
                        for (int r = 0; r < repetitions; r++) {
                            results.add(measure(opened, backend, open, r));
                        }
                    }
                }
            }
        }
        return results;
    }

    private PointResult measure(BpfKv kv, String backend, MatrixPoint point, int repetition) throws Exception {
        long n = point.mode().engine() || preadRequests < 1 ? requests : preadRequests;
        long warm = warmup >= 0 ? warmup : Math.max(1, n / 10);
        if (warm > 0) { // unmeasured, and outside the engine counters: JIT warm-up is not a per-hop cost
            LoadGenerator.run(kv, new LoadGenerator.Config(point.threads(), point.inflight(), warm, 0,
                    point.targetRate(), ~(seed + repetition)));
        }
        var config = new LoadGenerator.Config(point.threads(), point.inflight(), n, 0, point.targetRate(),
                seed + repetition);
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
            hopsPerLookup = (double) hops / n;
            long user = a.reactorUserNanos() - b.reactorUserNanos();
            // per-thread user time comes in clock ticks (10 ms): below 100 ms it is more noise than figure
            if (a.reactorUserNanos() >= 0 && b.reactorUserNanos() >= 0 && hops > 0 && user >= MIN_USER_NANOS) {
                userNanosPerHop = (double) user / hops;
            }
            if (a.reactorCpuNanos() >= 0 && b.reactorCpuNanos() >= 0 && hops > 0) {
                cpuNanosPerHop = (double) (a.reactorCpuNanos() - b.reactorCpuNanos()) / hops;
            }
        }
        PointResult r = new PointResult(point, repetition, backend, result.requests(), result.wrong(), result.fallbacks(),
                result.elapsedNanos() / 1e9, result.latency(), result.cpuMicrosPerRequest(), hopsPerLookup, userNanosPerHop,
                cpuNanosPerHop);
        log.printf(Locale.ROOT, "%-34s rep %d: %9.0f lookups/s  p50 %7.1f us  p99 %7.1f us  cpu %6.1f us/lookup%s%s%n",
                point.label(), repetition, r.throughput(), r.percentileMicros(50), r.percentileMicros(99),
                r.cpuMicrosPerLookup(), Double.isFinite(cpuNanosPerHop) ? String.format(Locale.ROOT, "  reactor cpu %.0f ns/hop, user %s",
                        cpuNanosPerHop, Double.isFinite(userNanosPerHop) ? String.format(Locale.ROOT, "%.0f ns/hop", userNanosPerHop) : "-") : "",
                r.wrong() > 0 ? "  WRONG: " + r.wrong() : "");
        return r;
    }

    private List<PeerRunner.Run> runPeers(Map<Integer, Path> databases) throws InterruptedException {
        List<PeerRunner.Run> runs = new ArrayList<>();
        if (peer == null) {
            return runs;
        }
        PeerRunner runner = new PeerRunner(peer, peerArgs, peerTimeout);
        long n = preadRequests > 0 ? preadRequests : requests;
        for (Map.Entry<Integer, Path> e : databases.entrySet()) {
            if (e.getValue() == null) {
                continue; // no file: spdk alone on databases it created
            }
            for (int t : new TreeSet<>(threads)) {
                PeerRunner.Run run = runner.run(e.getValue(), e.getKey(), t, n);
                log.printf(Locale.ROOT, "peer L%d T%d: %s%n", e.getKey(), t, run.output() != null
                        ? String.format(Locale.ROOT, "%.0f lookups/s, mean %.1f us", run.output().throughput(), run.output().meanMicros())
                        : "failed: " + run.error());
                runs.add(run);
            }
        }
        return runs;
    }

    private void write(Path dir, Map<String, Object> manifest, List<DeviceLimit> limits, List<PointResult> results,
                       Summary summary, List<PeerRunner.Run> peers, List<String> skipped) throws IOException {
        Files.writeString(dir.resolve("manifest.json"), Json.write(manifest), StandardCharsets.UTF_8);
        List<Map<String, Object>> pointRows = results.stream().map(PointResult::row).toList();
        Csv.write(dir.resolve("points.csv"), pointRows);
        Csv.write(dir.resolve("summary.csv"), summary.rows());
        Csv.write(dir.resolve("device-limits.csv"), limits.stream().map(DeviceLimit::row).toList());
        List<Map<String, Object>> peerRows = peers.stream().map(PeerRunner.Run::row).toList();
        if (!peerRows.isEmpty()) {
            Csv.write(dir.resolve("peers.csv"), peerRows);
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("manifest", manifest);
        all.put("device_limits", limits.stream().map(DeviceLimit::row).toList());
        all.put("points", pointRows);
        all.put("summary", summary.rows());
        all.put("peers", peerRows);
        all.put("skipped", skipped);
        Files.writeString(dir.resolve("results.json"), Json.write(all), StandardCharsets.UTF_8);
        List<Path> plots = Plots.write(dir, summary, peers);
        Files.writeString(dir.resolve("summary.md"), markdown(manifest, summary, peers, skipped, plots), StandardCharsets.UTF_8);
    }

    private static boolean sameAsPeer(MatrixPoint p, PeerRunner.Run r) {
        return !p.openLoop() && p.layers() == r.layers() && p.threads() == r.threads() && p.cacheLevels() == 0;
    }

    private static String markdown(Map<String, Object> manifest, Summary summary, List<PeerRunner.Run> peers,
                                   List<String> skipped, List<Path> plots) {
        StringBuilder md = new StringBuilder("# jxrp benchmark summary\n\n");
        md.append(String.format(Locale.ROOT, "%s, kernel %s, %s (%s CPUs online), governor %s, SMT %s, turbo %s; "
                        + "device %s (%s, logical block %s B, I/O scheduler %s, virtual: %s, %s hardware queue(s), interrupts: %s), "
                        + "file system %s; load before %s, after %s; "
                        + "commit %s%s.%n%n",
                manifest.get("host"), manifest.get("kernel"), manifest.get("cpu_model"), manifest.get("cores_online"),
                manifest.get("governor"), manifest.get("smt_active"), manifest.get("turbo"), manifest.get("device"),
                manifest.get("device_model"), manifest.get("logical_block_size"), manifest.get("io_scheduler"),
                manifest.get("virtual_device"), manifest.get("hw_queues"), manifest.get("queue_interrupts"),
                manifest.get("file_system"), manifest.get("load_average"), manifest.get("load_average_after"),
                manifest.get("git_commit"), "true".equals(manifest.get("git_dirty")) ? " (with local changes)" : ""));
        md.append("## Headline\n\n").append(summary.headlineText()).append('\n');
        md.append("## Points\n\nvs pread: throughput over the pread baseline at the same thread count; vs device: over the "
                + "device ceiling (random-read IOPS at the point's depth / reads per lookup). Latencies and ratios are "
                + "from the repetition with the median throughput. Engine ns/hop: the reactor threads' CPU time per hop, "
                + "user mode alone (the engine, the storage function and whatever the caller's completion callbacks do "
                + "on the reactor: here the load generator's latency recording and answer check) / user + kernel "
                + "(adds the kernel's I/O path). User time comes in clock ticks: short runs show '-'.\n\n");
        md.append(summary.table()).append('\n');
        md.append("## Device limit (same file, same run: measured before and after the points)\n\n").append(summary.limitsTable()).append('\n');
        if (summary.hasLimits(DeviceLimit.NAMESPACE)) {
            md.append("## Device limit of the namespace (spdk_nvme_perf on ").append(manifest.get("spdk_target"))
                    .append(", one core, the spdk points' depths, same run: before and after the points)\n\n")
                    .append(summary.limitsTable(DeviceLimit.NAMESPACE)).append('\n');
        }
        if (!peers.isEmpty()) {
            md.append("## Peer binary (same database)\n\njxrp columns: the same layers and thread count in this run, "
                    + "closed loop, no cache (the fastest engine configuration, and pread), over the peer's throughput.\n\n"
                    + "| command | lookups/s | mean us | p95 us | p99 us | p99.9 us | jxrp engine best / peer | jxrp pread / peer | note |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (PeerRunner.Run r : peers) {
                PeerOutput o = r.output();
                if (o == null) {
                    md.append(String.format("| `%s` | - | - | - | - | - | - | - | %s |%n", r.command(), r.error().replace('|', '/')));
                    continue;
                }
                double engineBest = summary.points().stream().filter(a -> sameAsPeer(a.point(), r) && a.point().mode().engine())
                        .mapToDouble(Summary.Aggregated::throughput).max().orElse(Double.NaN);
                double pread = summary.points().stream().filter(a -> sameAsPeer(a.point(), r) && !a.point().mode().engine())
                        .mapToDouble(Summary.Aggregated::throughput).max().orElse(Double.NaN);
                md.append(String.format(Locale.ROOT, "| `%s` | %.0f | %.1f | %.1f | %.1f | %.1f | %s | %s | |%n", r.command(),
                        o.throughput(), o.meanMicros(), o.p95Micros(), o.p99Micros(), o.p999Micros(),
                        Summary.ratio(engineBest / o.throughput()), Summary.ratio(pread / o.throughput())));
            }
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
        return md.toString();
    }
}
