package io.jxrp.bench;

import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.EngineStats;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.XrpResult;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import io.jxrp.nvme.DirectFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The pointer-chasing workload (every read depends on the one before): hops per second through the
 * engine on each backend against a plain pread loop on the same file, in one process.
 */
@Command(name = "chain-bench", mixinStandardHelpOptions = true,
        description = "Dependent-read chains: engine (uring, java) vs a synchronous O_DIRECT pread loop on the same file.")
public final class ChainBench implements Callable<Integer> {

    @Option(names = "--file", description = "chain file (created if missing or of another size; default ./data/chain-<records>.bin)")
    Path file;

    @Option(names = "--records", defaultValue = "131072", description = "512 B records in the file (default ${DEFAULT-VALUE} = 64 MiB)")
    int records;

    @Option(names = "--hops", defaultValue = "32", description = "dependent reads per chain (default ${DEFAULT-VALUE})")
    int hops;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per mode (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "1", description = "warm-up seconds per mode (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--threads", defaultValue = "1", description = "pread threads; engine reactors, each with its own chains (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--inflight", defaultValue = "1", split = ",",
            description = "chains in flight per thread through the engine; a list runs each (default ${DEFAULT-VALUE})")
    List<Integer> inflight;

    @Option(names = "--modes", defaultValue = "pread,uring,java", split = ",",
            description = "modes to run, in order (default ${DEFAULT-VALUE})")
    List<String> modes;

    /** One measured point. */
    record Point(String mode, int threads, int inflight, long hops, double seconds, double cpuSeconds,
                 double reactorUserSeconds) {
        double hopsPerSecond() {
            return hops / seconds;
        }

        double cpuMicrosPerHop() {
            return hops == 0 ? 0 : cpuSeconds * 1e6 / hops;
        }

        /** The engine's own CPU per hop: its reactors' user-mode time (NaN for pread). */
        double reactorUserMicrosPerHop() {
            return hops == 0 || reactorUserSeconds < 0 ? Double.NaN : reactorUserSeconds * 1e6 / hops;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChainBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (hops < 1 || records < 2 || threads < 1 || seconds <= 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "hops, records, threads and seconds must be positive");
        }
        Path path = file != null ? file : Path.of("data", "chain-" + records + ".bin");
        ChainFile chain = prepare(path);
        List<Point> points = new ArrayList<>();
        for (String mode : modes) {
            switch (mode.trim().toLowerCase(Locale.ROOT)) {
                case "pread" -> points.add(runPread(chain));
                case "uring", "java" -> {
                    for (int n : inflight) {
                        points.add(runEngine(chain, BackendKind.parse(mode), n));
                    }
                }
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown mode '" + mode + "' (pread, uring, java)");
            }
        }
        print(path, points);
        return 0;
    }

    private ChainFile prepare(Path path) throws IOException {
        long want = (long) records * ChainFile.RECORD;
        if (Files.exists(path) && Files.size(path) == want) {
            System.out.printf("chain file %s (%d records): reusing; the model is rebuilt from its seed%n", path, records);
        } else {
            System.out.printf("creating chain file %s (%d records, %.1f MiB)%n", path, records, want / 1048576.0);
        }
        // the file is a deterministic function of (records, seed): rewriting it is cheap next to a run
        return ChainFile.create(path, records, 42);
    }

    /** Each thread walks chains with one blocking pread per hop: XRP's read() baseline. */
    private Point runPread(ChainFile chain) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong hopsDone = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (DirectFile f = DirectFile.openReadOnly(chain.path)) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(Thread.ofPlatform().name("pread-" + t).start(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment buf = arena.allocate(ChainFile.RECORD, 4096);
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        long local = 0;
                        while (!stop.get()) {
                            long idx = rnd.nextInt(records);
                            for (int h = 0; h < hops; h++) {
                                if (f.readRaw(buf, idx * ChainFile.RECORD) != ChainFile.RECORD) {
                                    throw new IOException("short or failed pread at record " + idx);
                                }
                                idx = buf.get(ChainFunctions.U64, 0);
                            }
                            if (measuring.get()) {
                                local += hops;
                            }
                        }
                        hopsDone.addAndGet(local);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            Point p = measure("pread", 1, hopsDone::get, () -> -1, measuring, stop, ts);
            rethrow(failure.get());
            return p;
        }
    }

    /**
     * {@code threads} threads each start {@code n} chain loops on an engine with one reactor per
     * thread; a loop's next chain is submitted from the previous one's callback on the reactor.
     */
    private Point runEngine(ChainFile chain, BackendKind backend, int n) throws Exception {
        int depth = Integer.highestOneBit(Math.max(1, n) * 2 - 1) * 2;
        EngineOptions options = EngineOptions.defaults().withBackend(backend).withReactors(Math.min(64, threads))
                .withQueueDepth(Math.min(4096, Math.max(2, depth)))
                .withMaxInflightRequests(Math.max(1, n * threads)).withHopBudget(hops + 1).withJavaThreads(Math.min(64, n * threads));
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ResubmissionEngine engine = ResubmissionEngine.open(chain.path, options)) {
            AtomicLong measuredHops = new AtomicLong();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ts.add(Thread.ofPlatform().name("submit-" + t).start(() -> {
                    CountDownLatch ended = new CountDownLatch(n);
                    for (int i = 0; i < n; i++) {
                        SplittableRandom rnd = new SplittableRandom(ThreadLocalRandom.current().nextLong());
                        BiConsumer<XrpResult<long[]>, Throwable> loop = new BiConsumer<>() {
                            @Override
                            public void accept(XrpResult<long[]> r, Throwable e) {
                                if (e != null || !r.ok()) {
                                    failure.compareAndSet(null, e != null ? e : new IOException("chain ended " + outcome(r)));
                                    ended.countDown();
                                    return;
                                }
                                if (measuring.get()) {
                                    measuredHops.addAndGet(r.hops());
                                }
                                next();
                            }

                            private void next() {
                                if (stop.get()) {
                                    ended.countDown();
                                } else {
                                    engine.submit(ChainFunctions.chase(rnd.nextInt(records), hops), this);
                                }
                            }
                        };
                        engine.submit(ChainFunctions.chase(rnd.nextInt(records), hops), loop);
                    }
                    try {
                        ended.await(); // the loops end once stop is set
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Point p = measure(backend.cliName(), n, measuredHops::get, () -> engine.stats().reactorUserNanos(),
                    measuring, stop, ts);
            EngineStats stats = engine.stats();
            rethrow(failure.get());
            System.out.printf("  %s x%d: engine backend %s, %d requests, chain latency p50 %.1f us p99 %.1f us%n",
                    backend.cliName(), n, engine.backendName(), stats.completed(),
                    stats.latency().getValueAtPercentile(50) / 1e3, stats.latency().getValueAtPercentile(99) / 1e3);
            return p;
        }
    }

    private static String outcome(XrpResult<?> r) {
        return r == null ? "null" : r.outcome() + " (detail " + r.detail() + ")";
    }

    private Point measure(String mode, int n, LongSupplier hopCounter, LongSupplier reactorUserNanos,
                          AtomicBoolean measuring, AtomicBoolean stop, List<Thread> workers) throws InterruptedException {
        Thread.sleep((long) (warmup * 1000));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long user0 = reactorUserNanos.getAsLong();
        long t0 = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        long user1 = reactorUserNanos.getAsLong();
        stop.set(true);
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        Point p = new Point(mode, threads, n, hopCounter.getAsLong(), (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9,
                user0 < 0 || user1 < 0 ? -1 : (user1 - user0) / 1e9);
        System.out.printf("  %-6s threads %d in-flight %3d: %,12.0f hops/s%n", mode, threads, n, p.hopsPerSecond());
        return p;
    }

    private static void rethrow(Throwable t) throws Exception {
        if (t instanceof Exception e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    private void print(Path path, List<Point> points) {
        double base = points.stream().filter(p -> p.mode().equals("pread")).mapToDouble(Point::hopsPerSecond).findFirst().orElse(Double.NaN);
        System.out.printf("%nchain workload: %s, %d records of 512 B, %d hops per chain, %.0f s per point, %d thread(s)%n",
                path, records, hops, seconds, threads);
        System.out.printf("%-6s %9s %14s %10s %14s %20s%n", "mode", "inflight", "hops/s", "vs pread", "cpu us/hop",
                "reactor user us/hop");
        for (Point p : points) {
            System.out.printf("%-6s %9d %,14.0f %9.2fx %14.2f %20.3f%n", p.mode(), p.inflight(), p.hopsPerSecond(),
                    p.hopsPerSecond() / base, p.cpuMicrosPerHop(), p.reactorUserMicrosPerHop());
        }
        System.out.println("cpu us/hop: the whole process (user + kernel); reactor user: the engine's own work per hop");
    }
}
