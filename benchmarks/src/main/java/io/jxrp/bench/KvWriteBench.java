package io.jxrp.bench;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.format.TreeLayout;
import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.BackendKind;
import io.jxrp.engine.EngineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * BPF-KV's write path, measured: put throughput and commit latency (a put returns once durable)
 * at several numbers of concurrent writers, each a virtual thread doing synchronous puts of random
 * keys in 0 .. 2n-1 (about half of them updates of the n keys the database starts with, half
 * inserts); then lookup throughput and latency (closed loop, synchronous gets of random present
 * keys) without and with one concurrent writer. Every point starts from a fresh copy of a
 * {@code create}d database and runs its work unmeasured for the warm-up first (JIT compilation
 * is not charged to the point). The lookups' database checkpoints every {@code --checkpoint-entries}
 * writes (200,000 by default), so with a threshold the writer reaches in the point the lookups with a
 * writer also run across checkpoints (a new tree file published under them); the count is printed.
 */
@Command(name = "kv-write-bench", mixinStandardHelpOptions = true,
        description = "BPF-KV puts (throughput, commit latency) and lookups with and without a concurrent writer.")
public final class KvWriteBench implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "data", description = "where the databases go (a disk file system; default ${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--layers", defaultValue = "4", description = "layers of the created database (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--writers", split = ",", defaultValue = "1,16,256", description = "concurrent writers (default ${DEFAULT-VALUE})")
    int[] writers;

    @Option(names = "--readers", defaultValue = "2", description = "lookup threads (default ${DEFAULT-VALUE})")
    int readers;

    @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per point (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "3", description = "unmeasured seconds before each point (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--backend", defaultValue = "auto", description = "engine backend (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--checkpoint-entries", defaultValue = "200000",
            description = "the lookup points' database checkpoints after this many writes, >= 1 (default ${DEFAULT-VALUE})")
    long checkpointEntries;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KvWriteBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (layers < 1 || layers > TreeLayout.MAX_LAYERS || readers < 1 || seconds < 1 || warmupSeconds < 0
                || checkpointEntries < 1) {
            throw new IllegalArgumentException("need 1 <= --layers <= " + TreeLayout.MAX_LAYERS
                    + ", --readers >= 1, --seconds >= 1, --warmup-seconds >= 0, --checkpoint-entries >= 1");
        }
        for (int w : writers) {
            if (w < 1) {
                throw new IllegalArgumentException("--writers: " + w + " is not a number of writers");
            }
        }
        Files.createDirectories(dir);
        Path base = dir.resolve("kvbench-L" + layers + ".db");
        if (!Files.exists(base) || Files.size(base) != new TreeLayout(layers).fileSizeBytes()) {
            DbBuilder.create(base, layers, DbBuilder.Options.defaults().withForce(true));
        }
        long keys = new TreeLayout(layers).keyCount();
        BpfKvOptions options = BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withBackend(BackendKind.parse(backend)))
                .withCheckpointOnClose(false);
        System.out.printf(Locale.ROOT, "database: %s (%d layers, %,d keys), %d s per point after %d s of warm-up, backend %s%n",
                base, layers, keys, seconds, warmupSeconds, backend);
        for (int w : writers) {
            Path db = fresh(base);
            try (BpfKv kv = BpfKv.open(db, options.withWritable(true).withCheckpointEntries(0))) {
                Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
                AtomicLong puts = new AtomicLong();
                Work put = (random, stop) -> {
                    while (!stop.get()) {
                        long key = random.nextLong(keys * 2);
                        long start = System.nanoTime();
                        kv.put(key, value(key));
                        latency.recordValue(System.nanoTime() - start);
                        puts.incrementAndGet();
                    }
                };
                run(w, warmupSeconds, put, 0);
                latency.reset();
                long before = puts.get();
                long elapsed = run(w, seconds, put, 1);
                long measured = puts.get() - before;
                Histogram histogram = latency.getIntervalHistogram();
                System.out.printf(Locale.ROOT, "puts, %3d writers: %,9.0f puts/s  commit latency p50 %,8.1f us  p99 %,8.1f us"
                                + "  (%,d puts, %s)%n", w, measured / (elapsed / 1e9), histogram.getValueAtPercentile(50) / 1e3,
                        histogram.getValueAtPercentile(99) / 1e3, measured, kv.backendDescription());
            }
        }
        for (boolean withWriter : new boolean[] {false, true}) {
            Path db = fresh(base);
            try (BpfKv kv = BpfKv.open(db, options.withWritable(true).withCheckpointEntries(checkpointEntries))) {
                Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
                AtomicLong lookups = new AtomicLong();
                Work get = (random, stop) -> {
                    while (!stop.get()) {
                        long key = random.nextLong(keys);
                        long start = System.nanoTime();
                        if (kv.get(key).isEmpty()) {
                            throw new IllegalStateException("key " + key + " missing");
                        }
                        latency.recordValue(System.nanoTime() - start);
                        lookups.incrementAndGet();
                    }
                };
                run(readers, warmupSeconds, get, 0);
                AtomicBoolean stopWriter = new AtomicBoolean();
                AtomicLong written = new AtomicLong();
                AtomicReference<Throwable> writerFailure = new AtomicReference<>();
                Thread writer = withWriter ? Thread.ofPlatform().name("kv-writer").start(() -> {
                    SplittableRandom random = new SplittableRandom(7);
                    try {
                        while (!stopWriter.get()) {
                            long key = random.nextLong(keys);
                            kv.put(key, value(key));
                            written.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        writerFailure.set(e);
                    }
                }) : null;
                long checkpointsBefore = kv.checkpoints();
                latency.reset();
                long before = lookups.get();
                long elapsed = run(readers, seconds, get, 1);
                long measured = lookups.get() - before;
                long writes = written.get();
                stopWriter.set(true);
                if (writer != null) {
                    writer.join();
                    if (writerFailure.get() != null) {
                        throw new IllegalStateException("the concurrent writer failed", writerFailure.get());
                    }
                }
                Histogram histogram = latency.getIntervalHistogram();
                System.out.printf(Locale.ROOT, "lookups, %d threads, %s: %,9.0f lookups/s  p50 %,8.1f us  p99 %,8.1f us%s%n",
                        readers, withWriter ? "one concurrent writer" : "no writer            ", measured / (elapsed / 1e9),
                        histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
                        withWriter ? String.format(Locale.ROOT, "  (writer: %,.0f puts/s, %d checkpoints)",
                                writes / (elapsed / 1e9), kv.checkpoints() - checkpointsBefore) : "");
            }
        }
        return 0;
    }

    private static byte[] value(long key) {
        return String.format("%63d", key).getBytes(StandardCharsets.US_ASCII);
    }

    private Path fresh(Path base) throws Exception {
        Path db = dir.resolve("kvbench-run.db");
        try (var old = Files.newDirectoryStream(dir, "kvbench-run.db*")) {
            for (Path p : old) {
                Files.delete(p);
            }
        }
        Files.copy(base, db, StandardCopyOption.REPLACE_EXISTING);
        return db;
    }

    private interface Work {
        void run(SplittableRandom random, AtomicBoolean stop) throws Exception;
    }

    /**
     * Runs {@code threads} copies of {@code work} (virtual threads, seeds from {@code round}) for
     * {@code seconds}; the nanos it ran. A worker's failure fails the benchmark.
     */
    private static long run(int threads, int seconds, Work work, int round) throws Exception {
        if (seconds == 0) {
            return 0;
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> running = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(1000L * (round + 1) + t);
            running.add(Thread.ofVirtual().start(() -> {
                try {
                    work.run(random, stop);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        for (Thread thread : running) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a worker failed", failures.get(0));
        }
        return System.nanoTime() - start;
    }
}
