package io.jxrp.bpfkv.load;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.BpfKvOptions;
import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.engine.EngineStats;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;

/**
 * Point-lookup load on a {@link BpfKv}: uniformly random keys from several threads, closed loop
 * ({@code inflight} lookups outstanding per thread) or open loop at a target rate, where latency is
 * measured from each lookup's scheduled start so a stalled system is not flattered (no coordinated
 * omission). In engine mode a closed loop runs on callbacks: each completed lookup starts the next
 * one from the engine's reactor thread, so with one reactor per thread the engine uses as many
 * threads as the pread baseline. In pread mode each thread calls the synchronous traversal, one
 * lookup at a time, like the original's read() path. Every value is checked against its key: a wrong or missing answer is
 * counted, never timed as a success. Used by {@code bpfkv get --requests} and the macro harness.
 */
public final class LoadGenerator {
    /** How long a closed loop may see no engine request complete before it gives up. */
    private static final long STALL_CHECK_SECONDS = 60;

    /**
     * @param threads             request threads
     * @param inflightPerThread   lookups outstanding per thread in engine mode (must be 1 in pread mode)
     * @param requests            measured lookups over all threads (the original's {@code --requests})
     * @param warmupRequests      run first, not measured
     * @param targetRatePerSecond 0 for closed loop; else the open-loop rate over all threads
     * @param seed                key sequence seed
     */
    public record Config(int threads, int inflightPerThread, long requests, long warmupRequests,
                         double targetRatePerSecond, long seed) {
        public Config {
            if (threads < 1 || inflightPerThread < 1 || requests < 1 || warmupRequests < 0 || targetRatePerSecond < 0) {
                throw new IllegalArgumentException("threads, in-flight and requests must be >= 1; warm-up and rate >= 0");
            }
        }

        /** Closed loop with a warm-up of a tenth of the requests (at most 100,000). */
        public static Config closedLoop(int threads, int inflightPerThread, long requests) {
            return new Config(threads, inflightPerThread, requests, Math.min(100_000, requests / 10), 0, 42);
        }
    }

    /**
     * @param mode         {@code engine} or {@code pread}
     * @param requests     measured lookups
     * @param wrong        lookups whose value was missing or not the key's
     * @param elapsedNanos wall time of the measured part
     * @param latency      per-lookup latency, nanoseconds
     * @param cpuNanos     process CPU time (user + system) during the measured part
     * @param fallbacks    lookups the engine path redid on the pread path
     */
    public record Result(Config config, String mode, long requests, long wrong, long elapsedNanos, Histogram latency,
                         long cpuNanos, long fallbacks) {
        public double throughput() {
            return requests * 1e9 / elapsedNanos;
        }

        public double meanMicros() {
            return latency.getMean() / 1e3;
        }

        public double percentileMicros(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1e3;
        }

        public double maxMicros() {
            return latency.getMaxValue() / 1e3;
        }

        /** Share of lookups at or above {@code millis}. */
        public double fractionAtLeastMillis(double millis) {
            long total = latency.getTotalCount();
            if (total == 0) {
                return 0;
            }
            long below = latency.getCountBetweenValues(0, (long) (millis * 1e6) - 1);
            return (double) (total - below) / total;
        }

        public double cpuMicrosPerRequest() {
            return requests == 0 ? 0 : cpuNanos / 1e3 / requests;
        }
    }

    /** Told how far a run has come, from a ticker thread a few times a second (never on the load's threads). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (warmup, done, total) -> { };

        /**
         * @param warmup true during the warm-up, false while measuring
         * @param done   lookups of this phase completed so far (read without synchronisation: approximate)
         * @param total  lookups of this phase
         */
        void update(boolean warmup, long done, long total);
    }

    private LoadGenerator() {
    }

    /** As {@link #run(BpfKv, Config)}, telling {@code progress} how far it has come. */
    public static Result run(BpfKv db, Config config, Progress progress) throws InterruptedException, IOException {
        return run(db, config, progress, 250);
    }

    /**
     * Warms up, then measures {@code config.requests()} lookups.
     *
     * @throws IOException the first lookup that failed (a corrupt database: a {@link io.jxrp.bpfkv.BpfKvFormatException}
     *     with its offset), as the lookup threw it
     */
    public static Result run(BpfKv db, Config config) throws InterruptedException, IOException {
        return run(db, config, Progress.NONE, 0);
    }

    private static Result run(BpfKv db, Config config, Progress progress, long tickMillis)
            throws InterruptedException, IOException {
        boolean engine = db.options().mode() == BpfKvOptions.Mode.ENGINE;
        if (!engine && config.inflightPerThread() != 1) {
            throw new IllegalArgumentException("in pread mode each thread makes one synchronous lookup at a time: "
                    + "--inflight must be 1");
        }
        if (config.warmupRequests() > 0) {
            Latencies warm = new Latencies();
            Ticker warmTicker = new Ticker(progress, true, warm, config.warmupRequests(), tickMillis);
            try {
                phase(db, config, config.warmupRequests(), ~config.seed(), engine, warm);
            } finally {
                warmTicker.close();
            }
        }
        long fallbacksBefore = db.stats().totalFallbacks();
        Latencies recorder = new Latencies();
        Ticker ticker = new Ticker(progress, false, recorder, config.requests(), tickMillis);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long wrong;
        try {
            wrong = phase(db, config, config.requests(), config.seed(), engine, recorder);
        } finally {
            ticker.close();
        }
        long elapsed = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        return new Result(config, engine ? "engine" : "pread", config.requests(), wrong, elapsed,
                recorder.merged(), cpu, db.stats().totalFallbacks() - fallbacksBefore);
    }

    /** Reports a phase's completed lookups every {@code tickMillis} from a daemon thread, and once at its end. */
    private static final class Ticker {
        private final Progress progress;
        private final boolean warmup;
        private final Latencies recorder;
        private final long total;
        private final Thread thread;

        Ticker(Progress progress, boolean warmup, Latencies recorder, long total, long tickMillis) {
            this.progress = progress;
            this.warmup = warmup;
            this.recorder = recorder;
            this.total = total;
            this.thread = progress == Progress.NONE || tickMillis <= 0 ? null
                    : Thread.ofPlatform().daemon().name("load-progress").start(() -> {
                        try {
                            while (true) {
                                progress.update(warmup, Math.min(total, recorder.approximateCount()), total);
                                Thread.sleep(tickMillis);
                            }
                        } catch (InterruptedException e) {
                            // the phase ended
                        }
                    });
        }

        void close() {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                progress.update(warmup, total, total);
            }
        }
    }

    /** {@code total} lookups spread over the threads; returns the wrong answers. */
    private static long phase(BpfKv db, Config config, long total, long seed, boolean engine, Latencies recorder)
            throws InterruptedException, IOException {
        long keys = db.layout().keyCount();
        AtomicLong wrong = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime() + 1_000_000; // open loop: every thread's schedule starts together
        double intervalNanos = config.targetRatePerSecond() > 0 ? 1e9 * config.threads() / config.targetRatePerSecond() : 0;
        for (int t = 0; t < config.threads(); t++) {
            long share = total / config.threads() + (t < total % config.threads() ? 1 : 0);
            SplittableRandom rnd = new SplittableRandom(seed + t * 0x9E3779B97F4A7C15L);
            threads.add(Thread.ofPlatform().name("load-" + t).start(() -> {
                try {
                    if (engine) {
                        engineLoop(db, config.inflightPerThread(), share, keys, rnd, intervalNanos, start, recorder, wrong);
                    } else {
                        preadLoop(db, share, keys, rnd, intervalNanos, start, recorder, wrong);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw rethrow(failure.get());
        }
        return wrong.get();
    }

    private static long scheduled(long start, double intervalNanos, long i) {
        return intervalNanos == 0 ? 0 : start + (long) (i * intervalNanos);
    }

    private static void waitUntil(long when) {
        long now;
        while (when != 0 && (now = System.nanoTime()) < when) {
            LockSupport.parkNanos(when - now);
        }
    }

    private static void engineLoop(BpfKv db, int inflight, long count, long keys, SplittableRandom rnd,
                                   double intervalNanos, long start, Latencies recorder, AtomicLong wrong)
            throws InterruptedException, IOException {
        if (intervalNanos == 0) {
            closedLoop(db, inflight, count, keys, rnd, recorder, wrong);
            return;
        }
        Semaphore window = new Semaphore(inflight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (long i = 0; i < count && failure.get() == null; i++) {
            long key = rnd.nextLong(keys);
            long when = scheduled(start, intervalNanos, i);
            waitUntil(when);
            window.acquire();
            db.getAsync(key, (value, error) -> {
                recorder.record(System.nanoTime() - when);
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else if (!correct(key, value)) {
                    wrong.incrementAndGet();
                }
                window.release();
            });
        }
        window.acquire(inflight);
        if (failure.get() != null) {
            throw rethrow(failure.get());
        }
    }

    /**
     * {@code inflight} lookup loops: each completion (on the engine's reactor thread) records and
     * checks its lookup and starts the loop's next one from there, so the loop never crosses threads.
     * This thread only seeds the loops and waits for them.
     */
    private static void closedLoop(BpfKv db, int inflight, long count, long keys, SplittableRandom rnd,
                                   Latencies recorder, AtomicLong wrong) throws InterruptedException, IOException {
        CountDownLatch ended = new CountDownLatch(inflight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < inflight; i++) {
            long quota = count / inflight + (i < count % inflight ? 1 : 0); // no counter shared between reactors
            new LookupLoop(db, keys, rnd.split(), quota, recorder, wrong, failure, ended).next(System.nanoTime());
        }
        long lastCompleted = -1;
        while (!ended.await(STALL_CHECK_SECONDS, TimeUnit.SECONDS)) { // a lost answer must not hang a benchmark
            long completed = db.engineStats().map(EngineStats::completed).orElse(-1L);
            if (completed == lastCompleted) {
                throw new IllegalStateException("no engine request completed for " + STALL_CHECK_SECONDS
                        + " s with " + ended.getCount() + " lookup loop(s) still waiting");
            }
            lastCompleted = completed;
        }
        if (failure.get() != null) {
            throw rethrow(failure.get());
        }
    }

    /** A lookup's failure as it was: an IOException, a RuntimeException or an Error, thrown again. */
    private static IOException rethrow(Throwable failure) throws IOException {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof IOException io) {
            throw io;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("a lookup failed: " + cause, cause);
    }

    /** One closed-loop lookup chain; it is its own callback, so a lookup allocates no lambda. */
    private static final class LookupLoop implements BiConsumer<Optional<byte[]>, Throwable> {
        private final BpfKv db;
        private final long keys;
        private final SplittableRandom rnd;
        /** Lookups this loop has still to start. */
        private long left;
        private final Latencies recorder;
        private final AtomicLong wrong;
        private final AtomicReference<Throwable> failure;
        private final CountDownLatch ended;
        private long key;
        private long begin;

        LookupLoop(BpfKv db, long keys, SplittableRandom rnd, long quota, Latencies recorder, AtomicLong wrong,
                   AtomicReference<Throwable> failure, CountDownLatch ended) {
            this.db = db;
            this.keys = keys;
            this.rnd = rnd;
            this.left = quota;
            this.recorder = recorder;
            this.wrong = wrong;
            this.failure = failure;
            this.ended = ended;
        }

        void next(long now) {
            if (failure.get() != null || left-- <= 0) {
                ended.countDown();
                return;
            }
            key = rnd.nextLong(keys);
            begin = now;
            db.getAsync(key, this);
        }

        @Override
        public void accept(Optional<byte[]> value, Throwable error) {
            long now = System.nanoTime(); // this lookup's end and the next one's start
            recorder.record(now - begin);
            if (error != null) { // the loop ends: a failing engine would otherwise spin through its quota
                failure.compareAndSet(null, error);
                ended.countDown();
                return;
            }
            if (!correct(key, value)) {
                wrong.incrementAndGet();
            }
            next(now);
        }
    }

    private static void preadLoop(BpfKv db, long count, long keys, SplittableRandom rnd, double intervalNanos,
                                  long start, Latencies recorder, AtomicLong wrong) throws IOException {
        for (long i = 0; i < count; i++) {
            long key = rnd.nextLong(keys);
            long when = scheduled(start, intervalNanos, i);
            waitUntil(when);
            long begin = when != 0 ? when : System.nanoTime();
            Optional<byte[]> value = db.get(key);
            recorder.record(System.nanoTime() - begin);
            if (!correct(key, value)) {
                wrong.incrementAndGet();
            }
        }
    }

    private static boolean correct(long key, Optional<byte[]> value) {
        return value != null && value.isPresent()
                && NodeDescriptor.parseValue(MemorySegment.ofArray(value.get()), 0) == key;
    }
}
