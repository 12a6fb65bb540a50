package io.jxrp.bench.harness;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.DigestKind;
import io.jxrp.engine.TargetSpec;
import io.jxrp.nvme.spdk.SpdkInstall;
import io.jxrp.nvme.spdk.TransportId;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The macro harness: runs a matrix of BPF-KV lookup benchmarks (engine on each backend, storage
 * functions, layers, threads, in-flight lookups, cache levels; closed loop, then open loop at the same
 * offered rates for every configuration), measures the device limit on the same file before and after
 * the points, optionally runs a peer BPF-KV binary on the same database, and writes CSV, JSON, HdrHistogram
 * logs, an environment manifest, PNG plots and a Markdown summary to {@code results/<host>-<timestamp>/}.
 *
 * <p>Every measurement runs in a fresh JVM ({@link PointRunner}), and repetitions are interleaved:
 * round r measures every point once, in an order shuffled per round, so a drift of the host or the
 * device spreads over all points instead of biasing the ones measured last, and a point's
 * repetitions are as far apart as the run allows. Results are written as each measurement
 * finishes: an interrupted run keeps what it measured.
 */
@Command(name = "harness", mixinStandardHelpOptions = true, sortOptions = false, subcommands = Compare.class,
        description = {"BPF-KV lookups through the jxrp engine vs the pread baseline vs the device limit, in one run.",
                "Results: <out>/<host>-<timestamp>/{points.csv,summary.csv,results.json,manifest.json,device-limits.csv,",
                "peers.csv,summary.md,*.png,hlog/*.hlog}. 'harness compare A B' puts two results side by side.",
                "Unset matrix options come from the preset (--preset):"},
        footerHeading = "%nPresets:%n")
public final class Harness implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "quick|bench|full", defaultValue = "bench",
            description = "matrix defaults for the options not given (default ${DEFAULT-VALUE}; listed below)")
    String preset;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "data",
            description = "where the databases are (bpfkv-<L>.db; created when missing) (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--db", paramLabel = "DB", description = {"one existing database instead of --data/--layers (layers inferred):",
            "a file, or a namespace spdk:<transport ID> [ns:N] holding one from offset 0 (then --modes spdk only)"})
    String db;

    @Option(names = "--layers", split = ",", paramLabel = "L", description = "index layers")
    List<Integer> layers;

    @Option(names = "--modes", split = ",", paramLabel = "MODE",
            description = {"uring (engine, io_uring shim), passthru (engine, NVMe passthrough; needs --digest fiemap), java",
                    "(engine, FileChannel backend), spdk (engine, SPDK's driver on the namespace --spdk-target names or",
                    "--spdk-serve serves), pread"})
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

    @Option(names = "--functions", split = ",", paramLabel = "F",
            description = "engine storage functions: java, bpf-jit, bpf-interp; unavailable ones are skipped with the reason")
    List<String> functions;

    @Option(names = "--threads", split = ",", paramLabel = "T", description = "load threads; the engine runs one reactor per thread")
    List<Integer> threads;

    @Option(names = "--inflight", split = ",", paramLabel = "I", description = "engine lookups in flight per thread; pread is always 1")
    List<Integer> inflight;

    @Option(names = "--cache", split = ",", paramLabel = "N", description = "cached top levels")
    List<Integer> cache;

    @Option(names = "--requests", paramLabel = "N", description = "measured lookups per engine point")
    Long requests;

    @Option(names = "--pread-requests", paramLabel = "N", description = "measured lookups per pread point")
    Long preadRequests;

    @Option(names = "--warmup", paramLabel = "N", description = "warm-up lookups per measurement (default: a tenth of its requests)")
    Long warmup;

    @Option(names = "--repetitions", paramLabel = "N", description = "repetitions per point, interleaved across points, each in a fresh JVM")
    Integer repetitions;

    @Option(names = "--max-spread", paramLabel = "F",
            description = "flag points whose (max-min)/median throughput over repetitions exceeds this")
    Double maxSpread;

    @Option(names = "--open-loop", split = ",", paramLabel = "F",
            description = {"open-loop rates as fractions of the best closed-loop throughput of the same layers and cache;",
                    "every configuration runs at the same rates (those it cannot carry are flagged as missed); 'none' for none"})
    List<String> openLoop;

    @Option(names = "--open-loop-rates", split = ",", paramLabel = "R",
            description = "open-loop rates in lookups/s, for every configuration (beside --open-loop)")
    List<Double> openLoopRates = new ArrayList<>();

    @Option(names = "--device-seconds", paramLabel = "S", description = "seconds per device-limit depth")
    Double deviceSeconds;

    @Option(names = "--fio", paramLabel = "PATH|none", description = "fio executable (default: fio on PATH; 'none': the shim's raw reads)")
    String fio;

    @Option(names = "--no-device-limit", description = "skip the device-limit measurement")
    boolean noDeviceLimit;

    @Option(names = "--peer", paramLabel = "PATH", description = "another BPF-KV binary to run on the same database (e.g. the original simplekv)")
    Path peer;

    @Option(names = "--peer-args", paramLabel = "TEMPLATE", defaultValue = PeerRunner.DEFAULT_TEMPLATE,
            description = "the peer's arguments; {db} {layers} {requests} {threads} are replaced (default: ${DEFAULT-VALUE})")
    String peerArgs;

    @Option(names = "--peer-timeout", paramLabel = "S", defaultValue = "900", description = "seconds per peer run (default ${DEFAULT-VALUE})")
    long peerTimeout;

    @Option(names = "--digest", defaultValue = "identity", description = "engine digest: identity or fiemap (root) (default ${DEFAULT-VALUE})")
    String digest;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results", description = "results root (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--name", description = "results directory name (default <host>-<timestamp>)")
    String name;

    @Option(names = "--seed", defaultValue = "42", description = "key sequence and run order seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--point-timeout", paramLabel = "S", defaultValue = "1800",
            description = "seconds one measurement's JVM may take before it is killed (default ${DEFAULT-VALUE})")
    long pointTimeout;

    @Option(names = "--dry-run", description = "validate, print the matrix, the run count and a time estimate, and stop")
    boolean dryRun;

    @Option(names = "--estimate-rate", paramLabel = "N", defaultValue = "20000",
            description = "--dry-run: closed-loop lookups/s assumed per measurement for the time estimate (default ${DEFAULT-VALUE})")
    double estimateRate;

    @Option(names = "--note", paramLabel = "TEXT",
            description = "a fact about the run's set-up to keep with the results (manifest.json and summary.md); repeatable")
    List<String> notes = new ArrayList<>();

    @Option(names = "--sysfs-root", hidden = true, defaultValue = "/")
    Path sysfsRoot;

    /** What a measurement costs beyond its lookups, assumed for --dry-run: JVM start, database open, engine start. */
    static final double RUN_OVERHEAD_SECONDS = 3;
    /** Database creation speed assumed for --dry-run. */
    static final double CREATE_BYTES_PER_SECOND = 200e6;

    private final PrintStream log = System.err;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the presets in its help footer. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Harness());
        cl.getCommandSpec().usageMessage().footer(Preset.describe());
        return cl;
    }

    /** The depths the points on {@code device} reach (1 always): threads x in flight. */
    static Set<Integer> depths(List<MatrixPoint> points, String device) {
        Set<Integer> depths = new TreeSet<>();
        depths.add(1);
        for (MatrixPoint p : points) {
            if (DeviceLimit.deviceOf(p).equals(device)) {
                depths.add(p.depth());
            }
        }
        return depths;
    }

    /** The matrix to run: databases (null where spdk writes its own), closed-loop points, open-loop plan, file depths. */
    record Plan(Map<Integer, Path> databases, List<MatrixPoint> closed, List<String> skipped, int repetitions,
                List<Double> openFractions, List<Double> openRates, Set<Integer> depths) {
        int openRatesPerConfiguration() {
            return openFractions.size() + openRates.size();
        }

        int runs() {
            return closed.size() * repetitions * (1 + openRatesPerConfiguration());
        }
    }

    @Override
    public Integer call() throws Exception {
        Preset p = applyPreset();
        validate();
        Plan plan = plan();
        if (dryRun) {
            System.out.print(describe(p, plan));
            return 0;
        }
        createDatabases(plan);
        Path primary = plan.databases().values().iterator().next();
        Map<String, Object> manifest = Manifest.collect(sysfsRoot, primary, Path.of("").toAbsolutePath());
        manifest.put("preset", p.name().toLowerCase(Locale.ROOT));
        manifest.put("notes", List.copyOf(notes));
        String dirName = name != null ? name
                : manifest.get("host") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path dir = out.resolve(dirName);
        if (Files.exists(dir.resolve("points.csv"))) {
            throw new CommandLine.ParameterException(new CommandLine(this), dir + " already holds results: give another --name");
        }
        try (SpdkNamespaces spdk = spdkNamespaces(plan)) {
            if (spdk != null) {
                manifest.put("spdk_target", spdk.primary().toString());
                manifest.put("spdk_served", spdk.served());
                manifest.put("spdk_install", SpdkInstall.find().map(i -> i.root().toString()).orElse(null));
            }
            log.printf("results go to %s (%d measurements, each in its own JVM)%n", dir, plan.runs());
            ResultsWriter results = new ResultsWriter(dir, manifest, maxSpread);
            for (String why : plan.skipped()) {
                results.skipped(why);
            }
            run(plan, spdk, primary, results);
            manifest.put("load_average_after", Manifest.loadAverage(sysfsRoot));
            results.finish();
            return report(results, dir);
        }
    }

    /** The namespaces spdk mode reads (null when it does not run). */
    private SpdkNamespaces spdkNamespaces(Plan plan) throws IOException {
        if (plan.closed().stream().noneMatch(p -> p.mode() == BenchMode.SPDK)) {
            return null;
        }
        if (spdkServe != null) {
            return SpdkNamespaces.serve(plan.databases(), out.resolve(".nvmf_tgt"), spdkServe.equals("interrupt"), log);
        }
        return SpdkNamespaces.given(TargetSpec.parse(spdkTarget));
    }

    /**
     * The device limits before, every layer count's rounds (closed loop, then open loop at rates from
     * the closed-loop results), the device limits after. Layer counts run one after the other (a
     * given namespace holds one database at a time); within one, repetitions interleave.
     */
    private void run(Plan plan, SpdkNamespaces spdk, Path primary, ResultsWriter results) throws Exception {
        if (!noDeviceLimit) {
            deviceLimits(primary, plan, spdk, "before", results);
        }
        int run = 0;
        for (int l : plan.databases().keySet()) {
            List<MatrixPoint> closed = plan.closed().stream().filter(p -> p.layers() == l).toList();
            if (closed.isEmpty()) {
                continue;
            }
            if (spdk != null && spdkCreate && closed.stream().anyMatch(p -> p.mode() == BenchMode.SPDK)) {
                TargetSpec namespace = spdk.holding(l);
                log.printf("creating %d layers on %s%n", l, namespace);
                DbBuilder.Result created = DbBuilder.create(namespace, l, DbBuilder.Options.defaults().withForce(true)
                        .withBuffers(1 << 20, 3));
                log.printf(Locale.ROOT, "created %.1f MiB in %.2f s%n", created.sizeBytes() / 1048576.0, created.elapsedNanos() / 1e9);
            }
            run = rounds(plan, spdk, closed, results, run);
            List<MatrixPoint> open = openLoopPoints(plan, closed, results.summary());
            if (!open.isEmpty()) {
                log.printf("open loop, L=%d: %d configurations at the same %d offered rate(s)%n", l, closed.size(),
                        plan.openRatesPerConfiguration());
                run = rounds(plan, spdk, open, results, run);
            }
        }
        if (!noDeviceLimit) {
            deviceLimits(primary, plan, spdk, "after", results);
        }
    }

    private int report(ResultsWriter results, Path dir) {
        Summary summary = results.summary();
        System.out.print(summary.table());
        System.out.println();
        System.out.print(summary.headlineText());
        results.skippedReasons().forEach(s -> System.out.println("- skipped: " + s));
        results.failures().forEach(s -> System.out.println("- FAILED: " + s));
        summary.driftWarnings().forEach(w -> log.println("warning: " + w));
        System.out.println("\nresults: " + dir.toAbsolutePath());
        if (summary.points().isEmpty()) {
            System.err.println("harness: no point could be measured (see the reasons above)");
            return 2;
        }
        return results.failures().isEmpty() ? 0 : 1;
    }

    // ---- options ---------------------------------------------------------------------------------

    private Preset applyPreset() {
        Preset p;
        try {
            p = Preset.parse(preset);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        layers = layers != null ? layers : p.layers;
        modes = modes != null ? modes : p.modes;
        functions = functions != null ? functions : p.functions;
        threads = threads != null ? threads : p.threads(Runtime.getRuntime().availableProcessors());
        inflight = inflight != null ? inflight : p.inflight;
        cache = cache != null ? cache : p.cache;
        requests = requests != null ? requests : p.requests;
        preadRequests = preadRequests != null ? preadRequests : p.preadRequests;
        repetitions = repetitions != null ? repetitions : p.repetitions;
        maxSpread = maxSpread != null ? maxSpread : p.maxSpread;
        deviceSeconds = deviceSeconds != null ? deviceSeconds : p.deviceSeconds;
        if (openLoop == null) {
            openLoop = p.openLoop.stream().map(String::valueOf).toList();
        } else if (openLoop.equals(List.of("none"))) {
            openLoop = List.of();
        }
        return p;
    }

    private void validate() {
        CommandLine cl = new CommandLine(this);
        if (requests < 1 || preadRequests < 1 || repetitions < 1 || !(deviceSeconds > 0) || !(maxSpread >= 0)
                || (warmup != null && warmup < 0) || pointTimeout < 1 || !(estimateRate > 0)) {
            throw new CommandLine.ParameterException(cl, "--requests, --pread-requests, --repetitions, --device-seconds, "
                    + "--point-timeout and --estimate-rate must be positive; --warmup and --max-spread at least 0");
        }
        for (int l : layers) {
            if (l < 1 || l > 6) {
                throw new CommandLine.ParameterException(cl, "--layers must be 1..6 (6 is 67 GiB), not " + l);
            }
        }
        for (int t : threads) {
            if (t < 1 || t > 64) {
                throw new CommandLine.ParameterException(cl, "--threads must be 1..64, not " + t);
            }
        }
        for (int i : inflight) {
            if (i < 1 || i > 65_536) {
                throw new CommandLine.ParameterException(cl, "--inflight must be 1..65536, not " + i);
            }
        }
        for (String f : openLoop) {
            double v;
            try {
                v = Double.parseDouble(f);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl, "--open-loop takes fractions such as 0.5,0.9 or 'none', not '" + f + "'");
            }
            if (!(v > 0) || v > 10) {
                throw new CommandLine.ParameterException(cl, "--open-loop fractions must be in (0, 10], not " + f);
            }
        }
        for (double r : openLoopRates) {
            if (!(r > 0)) {
                throw new CommandLine.ParameterException(cl, "--open-loop-rates must be > 0 lookups/s, not " + r);
            }
        }
        for (int c : cache) {
            if (c < 0 || c > BpfKvOptions.MAX_CACHE_LEVELS) {
                throw new CommandLine.ParameterException(cl, "--cache levels must be 0.." + BpfKvOptions.MAX_CACHE_LEVELS);
            }
        }
        if (db != null && !TransportId.isSpdkTarget(db) && !Files.isRegularFile(Path.of(db))) {
            throw new CommandLine.ParameterException(cl, "--db " + db + ": no such file");
        }
        if (peer != null && !Files.isExecutable(peer)) {
            throw new CommandLine.ParameterException(cl, "--peer " + peer + ": not an executable file");
        }
        if (fio != null && !fio.equals("none") && !Files.isExecutable(Path.of(fio))) {
            throw new CommandLine.ParameterException(cl, "--fio " + fio + ": not an executable file (or 'none')");
        }
        boolean spdkMode;
        try {
            if (db != null && TransportId.isSpdkTarget(db)) {
                if (spdkTarget != null || spdkServe != null || spdkCreate
                        || modes.stream().anyMatch(m -> BenchMode.parse(m) != BenchMode.SPDK)) {
                    throw new IllegalArgumentException("--db on a namespace is read by --modes spdk alone, "
                            + "without --spdk-target, --spdk-serve or --spdk-create");
                }
                spdkTarget = db; // the one namespace spdk mode reads
            }
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

    // ---- the plan ----------------------------------------------------------------------------------

    private Plan plan() throws IOException {
        Map<Integer, Path> databases = new LinkedHashMap<>();
        if (db != null) {
            TargetSpec given = TargetSpec.parse(db);
            if (given.isSpdk()) { // read through the spdk backend: its layers from the root, no file
                try (BpfKv opened = BpfKv.open(given, BpfKvOptions.defaults())) {
                    databases.put(opened.layout().layers(), null);
                }
            } else {
                try (BpfKv opened = BpfKv.open(given.path(), BpfKvOptions.defaults().withMode(BpfKvOptions.Mode.PREAD))) {
                    databases.put(opened.layout().layers(), given.path());
                }
            }
        } else {
            // spdk alone, writing its own databases onto the namespace: no file is read
            boolean noFiles = spdkCreate && modes.stream().allMatch(m -> BenchMode.parse(m) == BenchMode.SPDK);
            for (int l : new TreeSet<>(layers)) {
                databases.put(l, noFiles ? null : data.resolve("bpfkv-" + l + ".db"));
            }
        }
        List<String> skipped = new ArrayList<>();
        Set<String> functionNames = new LinkedHashSet<>();
        functions.forEach(f -> functionNames.add(FunctionChoice.normalize(f)));
        List<MatrixPoint> closed = new ArrayList<>();
        for (int l : databases.keySet()) {
            for (int c : new LinkedHashSet<>(cache)) {
                for (String modeName : new LinkedHashSet<>(modes)) {
                    BenchMode mode = BenchMode.parse(modeName);
                    if (mode == BenchMode.SPDK && SpdkInstall.unavailableReason() != null) {
                        String why = "spdk: " + SpdkInstall.unavailableReason();
                        if (!skipped.contains(why)) {
                            skipped.add(why);
                        }
                        continue;
                    }
                    for (String function : mode.engine() ? functionNames : Set.of("-")) {
                        if (mode.engine()) {
                            FunctionChoice.Resolved resolved = FunctionChoice.resolve(function);
                            if (!resolved.available()) {
                                String why = mode + "/" + function + ": " + resolved.unavailableBecause();
                                if (!skipped.contains(why)) {
                                    skipped.add(why);
                                }
                                continue;
                            }
                        }
                        for (int t : new LinkedHashSet<>(threads)) {
                            for (int i : mode.engine() ? new LinkedHashSet<>(inflight) : Set.of(1)) {
                                closed.add(new MatrixPoint(mode, mode.engine() ? function : "-", l, t, i, c, 0));
                            }
                        }
                    }
                }
            }
        }
        return new Plan(databases, closed, skipped, repetitions, openLoop.stream().map(Double::parseDouble).toList(),
                List.copyOf(openLoopRates), depths(closed, DeviceLimit.FILE));
    }

    /** What --dry-run prints: the matrix, the number of measurements and the time they would take. */
    private String describe(Preset p, Plan plan) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "preset %s; databases:%n", p.name().toLowerCase(Locale.ROOT)));
        double createSeconds = 0;
        for (Map.Entry<Integer, Path> e : plan.databases().entrySet()) {
            long size = new TreeLayout(e.getKey()).fileSizeBytes();
            if (e.getValue() == null) {
                s.append(String.format(Locale.ROOT, db != null ? "  L=%d on %s (%.1f MiB, read from its root)%n"
                        : "  L=%d written onto %s (%.1f MiB)%n", e.getKey(), spdkTarget, size / 1048576.0));
                continue;
            }
            boolean exists = Files.exists(e.getValue()) && Files.size(e.getValue()) == size;
            if (!exists) {
                createSeconds += size / CREATE_BYTES_PER_SECOND;
            }
            s.append(String.format(Locale.ROOT, "  L=%d %s (%.1f MiB, %s)%n", e.getKey(), e.getValue(), size / 1048576.0,
                    exists ? "exists" : "to be created"));
        }
        s.append(String.format(Locale.ROOT, "closed-loop points (%d):%n", plan.closed().size()));
        for (MatrixPoint point : plan.closed()) {
            s.append("  ").append(point.label()).append('\n');
        }
        plan.skipped().forEach(why -> s.append("  skipped: ").append(why).append('\n'));
        if (plan.openRatesPerConfiguration() > 0) {
            List<String> rates = new ArrayList<>();
            plan.openFractions().forEach(f -> rates.add(f + " x the best closed-loop lookups/s of its layer count and cache"));
            plan.openRates().forEach(r -> rates.add(String.format(Locale.ROOT, "%.0f lookups/s", r)));
            s.append("open loop: every configuration at the same offered rates: ").append(String.join("; ", rates)).append('\n');
        }
        double seconds = createSeconds;
        for (MatrixPoint point : plan.closed()) {
            long n = point.mode().engine() ? requests : preadRequests;
            long warm = warmup != null ? warmup : Math.max(1, n / 10);
            seconds += plan.repetitions() * (RUN_OVERHEAD_SECONDS + (n + warm) / estimateRate);
            for (double f : plan.openFractions()) {
                seconds += plan.repetitions() * (RUN_OVERHEAD_SECONDS + (n + warm) / (f * estimateRate));
            }
            for (double r : plan.openRates()) {
                seconds += plan.repetitions() * (RUN_OVERHEAD_SECONDS + (n + warm) / Math.min(r, estimateRate));
            }
        }
        int probes = noDeviceLimit ? 0 : 2 * plan.depths().size();
        if (spdkServe != null || spdkTarget != null) {
            s.append("spdk namespaces: ").append(spdkServe != null ? "an nvmf_tgt the harness starts on 127.0.0.1, "
                    + "exporting each database file (" + spdkServe + ")" : spdkTarget + (spdkCreate ? ", written per layer count" : ""))
                    .append('\n');
        }
        seconds += probes * (deviceSeconds + 0.7);
        s.append(String.format(Locale.ROOT, "repetitions: %d per point, interleaved across points, each in a fresh JVM%n",
                plan.repetitions()));
        s.append(String.format(Locale.ROOT, "runs: %d measurements (%d closed-loop, %d open-loop) and %d device-limit probes "
                        + "(depths %s, before and after)%n", plan.runs(), plan.closed().size() * plan.repetitions(),
                plan.runs() - plan.closed().size() * plan.repetitions(), probes, plan.depths()));
        long total = Math.round(seconds);
        s.append(String.format(Locale.ROOT, "time estimate: about %d:%02d:%02d (assuming %.0f lookups/s closed loop per "
                        + "measurement, %.0f s per measurement for JVM start-up, database open and warm-up beyond its lookups, "
                        + "and %.0f MB/s to create databases; --estimate-rate changes the first)%n", total / 3600, total / 60 % 60,
                total % 60, estimateRate, RUN_OVERHEAD_SECONDS, CREATE_BYTES_PER_SECOND / 1e6));
        return s.toString();
    }

    private void createDatabases(Plan plan) throws IOException {
        if (db != null) {
            return;
        }
        Files.createDirectories(data);
        for (Map.Entry<Integer, Path> e : plan.databases().entrySet()) {
            Path file = e.getValue();
            long size = new TreeLayout(e.getKey()).fileSizeBytes();
            if (file != null && (!Files.exists(file) || Files.size(file) != size)) {
                log.printf("creating %s (%d layers, %.1f MiB)%n", file, e.getKey(), size / 1048576.0);
                DbBuilder.create(file, e.getKey(), DbBuilder.Options.defaults().withForce(true));
            }
        }
    }

    // ---- measuring -------------------------------------------------------------------------------

    /**
     * Every repetition of {@code points}: round r runs each point once, in an order shuffled per
     * round; peers run at the end of each closed-loop round. Returns the next run number.
     */
    private int rounds(Plan plan, SpdkNamespaces spdk, List<MatrixPoint> points, ResultsWriter results, int run) throws Exception {
        boolean closed = points.stream().noneMatch(MatrixPoint::openLoop);
        for (int r = 0; r < plan.repetitions(); r++) {
            List<MatrixPoint> order = new ArrayList<>(points);
            Collections.shuffle(order, new Random(seed * 31 + r + (closed ? 0 : 7919)));
            for (MatrixPoint point : order) {
                measure(plan, spdk, point, r, run++, results);
            }
            if (closed) {
                peers(plan, points.getFirst().layers(), results);
            }
            results.writePlots();
        }
        return run;
    }

    private void measure(Plan plan, SpdkNamespaces spdk, MatrixPoint point, int repetition, int run, ResultsWriter results)
            throws Exception {
        long n = point.mode().engine() ? requests : preadRequests;
        long warm = warmup != null ? warmup : Math.max(1, n / 10);
        Path dir = results.dir();
        String id = String.format(Locale.ROOT, "%04d-%s-rep%d", run, point.id(), repetition);
        String target = point.mode() == BenchMode.SPDK ? spdk.holding(point.layers()).toString()
                : plan.databases().get(point.layers()).toAbsolutePath().toString();
        RunSpec spec = new RunSpec(target, point, repetition, run, n, warm,
                seed + repetition, digest, dir.resolve("runs").resolve(id + "-result.json"),
                dir.resolve("hlog").resolve(point.id() + "-rep" + repetition + ".hlog"));
        Files.createDirectories(spec.result().getParent());
        Path specFile = dir.resolve("runs").resolve(id + ".json");
        Json.write(specFile, spec.toMap());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(childJvmArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PointRunner.class.getName(), specFile.toString()));
        Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        child.getOutputStream().close();
        if (!child.waitFor(pointTimeout, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor();
            results.failed(point.label() + " rep " + repetition + ": no result after " + pointTimeout + " s (killed)");
            return;
        }
        int exit = child.exitValue();
        if (exit != 0 && exit != PointRunner.EXIT_SKIPPED) {
            results.failed(point.label() + " rep " + repetition + ": its JVM exited with " + exit + " (its error is above)");
            return;
        }
        PointRunner.Outcome outcome = PointRunner.read(spec);
        if (outcome.skipped() != null) {
            results.skipped(outcome.skipped());
            return;
        }
        if (outcome.result().wrong() > 0) {
            results.failed(point.label() + " rep " + repetition + ": " + outcome.result().wrong() + " wrong or missing answers");
        }
        results.add(outcome.result());
    }

    /**
     * The child JVM's options: this JVM's (heap, flags the scripts chose) without debugging agents,
     * with native access granted and the logging quiet unless asked for.
     */
    private static List<String> childJvmArguments() {
        List<String> args = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Xrunjdwp")
                    && !a.startsWith("-Dsun.java.command")) {
                args.add(a);
            }
        }
        if (args.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) {
            args.add("--enable-native-access=ALL-UNNAMED");
        }
        if (args.stream().noneMatch(a -> a.startsWith("-Dorg.slf4j.simpleLogger.defaultLogLevel"))) {
            args.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        }
        return args;
    }

    /**
     * The open-loop points: every closed-loop configuration of a layer count and cache level at the
     * same offered rates, fractions of the best closed-loop throughput among them (and the absolute rates).
     */
    private List<MatrixPoint> openLoopPoints(Plan plan, List<MatrixPoint> configurations, Summary closed) {
        if (plan.openRatesPerConfiguration() == 0) {
            return List.of();
        }
        Map<String, Double> best = new TreeMap<>();
        for (Summary.Aggregated a : closed.points()) {
            best.merge(a.point().layers() + "/" + a.point().cacheLevels(), a.throughput(), Math::max);
        }
        List<MatrixPoint> open = new ArrayList<>();
        for (MatrixPoint p : configurations) {
            Double peak = best.get(p.layers() + "/" + p.cacheLevels());
            Set<Double> rates = new TreeSet<>(plan.openRates());
            if (peak != null) {
                plan.openFractions().forEach(f -> rates.add((double) Math.max(1, Math.round(f * peak))));
            }
            for (double rate : rates) {
                open.add(p.atRate(rate));
            }
        }
        return open;
    }

    /** The file's limits at the file points' depths, and the namespace's at the spdk points' when spdk mode runs. */
    private void deviceLimits(Path file, Plan plan, SpdkNamespaces spdk, String phase, ResultsWriter results)
            throws IOException, InterruptedException {
        if (file != null) {
            String fioPath = fio == null ? DeviceLimitProbe.findFio() : fio.equals("none") ? null : fio;
            DeviceLimitProbe probe = new DeviceLimitProbe(file, 512, deviceSeconds, fioPath);
            for (int depth : plan.depths()) {
                DeviceLimit l;
                try {
                    l = probe.measure(depth, phase);
                } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
                    // no fio and no native shim (or a device that refuses): the run goes on without a ceiling
                    log.printf("device limit %s unavailable at depth %d: %s%n", phase, depth, e);
                    continue;
                }
                log.printf(Locale.ROOT, "device limit %s: depth %d: %.0f IOPS, read mean %.1f us (%s, 512 B random reads)%n",
                        phase, depth, l.iops(), l.latency().meanMicros(), l.tool());
                results.add(l);
            }
        }
        if (spdk == null) {
            return;
        }
        TransportId namespace = TransportId.parse(spdk.primary().toString());
        SpdkPerfProbe probe = new SpdkPerfProbe(SpdkInstall.find().orElseThrow(), namespace, 512, deviceSeconds);
        for (int depth : depths(plan.closed(), DeviceLimit.NAMESPACE)) {
            try {
                DeviceLimit l = probe.measure(depth, phase);
                log.printf(Locale.ROOT, "namespace limit %s: depth %d: %.0f IOPS (%s)%n", phase, depth, l.iops(),
                        String.join(" ", probe.command(depth)));
                results.add(l);
            } catch (IOException e) {
                log.printf("namespace limit %s unavailable at depth %d: %s%n", phase, depth, e.getMessage());
            }
        }
    }

    private void peers(Plan plan, int layerCount, ResultsWriter results) throws InterruptedException, IOException {
        if (peer == null) {
            return;
        }
        PeerRunner runner = new PeerRunner(peer, peerArgs, peerTimeout);
        for (Map.Entry<Integer, Path> e : plan.databases().entrySet()) {
            if (e.getValue() == null || e.getKey() != layerCount) {
                continue; // another layer count's round, or no file (spdk alone on databases it created)
            }
            for (int t : new TreeSet<>(threads)) {
                PeerRunner.Run r = runner.run(e.getValue(), e.getKey(), t, preadRequests);
                log.printf(Locale.ROOT, "peer L%d T%d: %s%n", e.getKey(), t, r.output() != null
                        ? String.format(Locale.ROOT, "%.0f lookups/s, mean %.1f us", r.output().throughput(), r.output().meanMicros())
                        : "failed: " + r.error());
                results.add(r);
            }
        }
    }
}
