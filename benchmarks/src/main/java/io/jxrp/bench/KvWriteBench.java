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
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * BPF-KV's write path, measured: put throughput and commit latency (a put returns once durable)
 * at several numbers of concurrent writers, each a thread doing synchronous puts of random keys;
 * then lookup throughput (closed loop, synchronous gets of random keys) without and with one
 * concurrent writer. Every run starts from a fresh copy of a {@code create}d database.
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

    @Option(names = "--backend", defaultValue = "auto", description = "engine backend (default ${DEFAULT-VALUE})")
    String backend;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KvWriteBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        Path base = dir.resolve("kvbench-L" + layers + ".db");
        if (!Files.exists(base) || Files.size(base) != new TreeLayout(layers).fileSizeBytes()) {
            DbBuilder.create(base, layers, DbBuilder.Options.defaults().withForce(true));
        }
        long keys = new TreeLayout(layers).keyCount();
        BpfKvOptions options = BpfKvOptions.defaults().withEngine(EngineOptions.defaults().withBackend(BackendKind.parse(backend)))
                .withCheckpointOnClose(false);
        System.out.printf(Locale.ROOT, "database: %s (%d layers, %,d keys), %d s per point, backend %s%n", base, layers, keys,
                seconds, backend);
        for (int w : writers) {
            Path db = fresh(base);
            try (BpfKv kv = BpfKv.open(db, options.withWritable(true).withCheckpointEntries(0))) {
                Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
                AtomicLong puts = new AtomicLong();
                long elapsed = run(w, seconds, (random, stop) -> {
                    while (!stop.get()) {
                        long key = random.nextLong(keys * 2);
                        long start = System.nanoTime();
                        kv.put(key, value(key));
                        latency.recordValue(System.nanoTime() - start);
                        puts.incrementAndGet();
                    }
                });
                var histogram = latency.getIntervalHistogram();
                System.out.printf(Locale.ROOT, "puts, %3d writers: %,9.0f puts/s  commit latency p50 %,8.1f us  p99 %,8.1f us"
                                + "  (%,d puts)%n", w, puts.get() / (elapsed / 1e9), histogram.getValueAtPercentile(50) / 1e3,
                        histogram.getValueAtPercentile(99) / 1e3, puts.get());
            }
        }
        for (boolean withWriter : new boolean[] {false, true}) {
            Path db = fresh(base);
            try (BpfKv kv = BpfKv.open(db, options.withWritable(true).withCheckpointEntries(200_000))) {
                AtomicBoolean stopWriter = new AtomicBoolean();
                AtomicLong written = new AtomicLong();
                Thread writer = withWriter ? Thread.ofPlatform().start(() -> {
                    SplittableRandom random = new SplittableRandom(7);
                    try {
                        while (!stopWriter.get()) {
                            long key = random.nextLong(keys);
                            kv.put(key, value(key));
                            written.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }) : null;
                AtomicLong lookups = new AtomicLong();
                long elapsed = run(readers, seconds, (random, stop) -> {
                    while (!stop.get()) {
                        long key = random.nextLong(keys);
                        if (kv.get(key).isEmpty()) {
                            throw new IllegalStateException("key " + key + " missing");
                        }
                        lookups.incrementAndGet();
                    }
                });
                stopWriter.set(true);
                if (writer != null) {
                    writer.join();
                }
                System.out.printf(Locale.ROOT, "lookups, %d threads, %s: %,9.0f lookups/s%s%n", readers,
                        withWriter ? "one concurrent writer" : "no writer      ", lookups.get() / (elapsed / 1e9),
                        withWriter ? String.format(Locale.ROOT, " (writer: %,.0f puts/s, %d checkpoints)",
                                written.get() / (elapsed / 1e9), kv.checkpoints()) : "");
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

    /** Runs {@code threads} copies of {@code work} for {@code seconds} (no separate warm-up); the nanos it ran. */
    private static long run(int threads, int seconds, Work work) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> running = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(1000 + t);
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
