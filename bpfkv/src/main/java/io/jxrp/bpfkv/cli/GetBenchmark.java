package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.BpfKv;
import io.jxrp.bpfkv.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop random lookups, the original's {@code get} benchmark: {@code threads} clients share
 * {@code requests}; each keeps {@code inflight} lookups outstanding (1: a synchronous loop, as the
 * original's workers; more: asynchronous engine requests, resubmitted from their completions).
 * Every value is checked against its key.
 */
final class GetBenchmark {
    /** What a run measured; latencies in nanoseconds. */
    record Result(long requests, long wrongValues, long notFound, double seconds, Histogram latencyNanos) {
        double throughput() {
            return requests / seconds;
        }

        double percentAtLeastOneMillisecond() {
            long slow = latencyNanos.getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(1), latencyNanos.getMaxValue());
            return latencyNanos.getTotalCount() == 0 ? 0 : 100.0 * slow / latencyNanos.getTotalCount();
        }
    }

    private final BpfKv db;
    private final long keyCount;
    private final int threads;
    private final int inflight;

    GetBenchmark(BpfKv db, int threads, int inflight) {
        this.db = db;
        this.keyCount = db.layout().keyCount();
        this.threads = threads;
        this.inflight = inflight;
    }

    Result run(long requests, long seed) throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicLong wrong = new AtomicLong();
        AtomicLong notFound = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            long share = requests / threads + (t < requests % threads ? 1 : 0);
            SplittableRandom random = new SplittableRandom(seed + t);
            Thread worker = Thread.ofPlatform().name("bpfkv-bench-" + t).unstarted(() -> {
                ready.countDown();
                try {
                    go.await();
                    if (inflight == 1) {
                        synchronousLoop(share, random, recorder, wrong, notFound);
                    } else {
                        asynchronousLoop(share, random, recorder, wrong, notFound);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(worker);
            worker.start();
        }
        ready.await();
        recorder.reset();
        long start = System.nanoTime();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            Throwable first = failures.get(0);
            throw first instanceof UncheckedIOException u ? u : new IllegalStateException("benchmark worker failed: " + first, first);
        }
        return new Result(requests, wrong.get(), notFound.get(), seconds, recorder.getIntervalHistogram());
    }

    private void synchronousLoop(long share, SplittableRandom random, Recorder recorder, AtomicLong wrong,
                                 AtomicLong notFound) {
        try {
            for (long i = 0; i < share; i++) {
                long key = random.nextLong(keyCount);
                long started = System.nanoTime();
                Optional<byte[]> value = db.get(key);
                recorder.recordValue(System.nanoTime() - started);
                check(key, value, wrong, notFound);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void asynchronousLoop(long share, SplittableRandom random, Recorder recorder, AtomicLong wrong,
                                  AtomicLong notFound) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        AtomicLong issued = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        long[] keys = new long[(int) Math.min(share, 1 << 20)];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong(keyCount); // drawn here: completions run on engine threads
        }
        Runnable[] issue = new Runnable[1];
        issue[0] = () -> {
            long n = issued.getAndIncrement();
            if (n >= share) {
                return;
            }
            long key = keys[(int) (n % keys.length)];
            long started = System.nanoTime();
            db.getAsync(key).whenComplete((value, error) -> {
                recorder.recordValue(System.nanoTime() - started);
                if (error != null) {
                    wrong.incrementAndGet();
                } else {
                    check(key, value, wrong, notFound);
                }
                if (completed.incrementAndGet() == share) {
                    finished.countDown();
                } else {
                    issue[0].run();
                }
            });
        };
        for (int i = 0; i < Math.min(inflight, share); i++) {
            issue[0].run();
        }
        if (share > 0) {
            finished.await();
        }
    }

    private static void check(long key, Optional<byte[]> value, AtomicLong wrong, AtomicLong notFound) {
        if (value.isEmpty()) {
            notFound.incrementAndGet();
        } else if (!KeyValue.valueText(value.get()).equals(Long.toString(key))) {
            wrong.incrementAndGet();
        }
    }
}
