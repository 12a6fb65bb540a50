package io.jxrp.bench.jmh;

import io.jxrp.bpfkv.io.BlockChecksums;
import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.Target;
import io.jxrp.engine.TargetOptions;
import io.jxrp.engine.TargetSpec;
import io.jxrp.engine.XrpRequest;
import io.jxrp.engine.XrpResult;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost, device and kernel taken out ({@link MemoryBackend}). {@code hops}: 64 chains
 * of 64 dependent hops in flight at once, so the reactor never waits; the score is time per hop.
 * {@code requestsBy*}: one-hop requests, 64 in flight, where the per-request cost (start, delivery)
 * dominates; the score is time per request, delivered through futures awaited by this thread, or
 * through callbacks that submit the next request from the reactor (the load generator's closed loop).
 * {@code verifier}: {@code none}, or {@code crc32c}: the target verifies every 512 B block it reads
 * against its CRC32C ({@link BlockChecksums}, BPF-KV's checksum sidecar) before the function sees it, so
 * the difference between the two is the checksum's cost per hop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EngineHopBench {
    private static final int CHAINS = 64;
    private static final int HOPS = 64;

    @Param({"none", "crc32c"})
    public String verifier;

    private ResubmissionEngine engine;
    private Target target;
    private int start;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Path file = ShimRoundTripBench.BenchFiles.dir().resolve("engine-hops.bin");
        ChainFile chain = ChainFile.create(file, 8192, 5);
        engine = ResubmissionEngine.open(EngineOptions.defaults().withMaxInflightRequests(CHAINS)
                .withQueueDepth(128).withHopBudget(HOPS + 1), new MemoryBackend());
        TargetOptions options = switch (verifier) {
            case "none" -> TargetOptions.defaults();
            case "crc32c" -> TargetOptions.defaults().withVerifier(BlockChecksums.compute(chain.path, BlockChecksums.Progress.NONE));
            default -> throw new IllegalArgumentException("verifier must be none or crc32c, not " + verifier);
        };
        target = engine.addTarget(TargetSpec.of(chain.path), options);
    }

    private XrpRequest<long[]> chase(int first, int hops) {
        return ChainFunctions.chase(first, hops).withTarget(target);
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    /** One-hop requests per benchmark invocation, {@link #CHAINS} in flight. */
    private static final int REQUESTS = 4096;

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long requestsByFuture() {
        ArrayDeque<CompletableFuture<XrpResult<long[]>>> window = new ArrayDeque<>(CHAINS);
        long x = 0;
        for (int i = 0; i < REQUESTS; i++) {
            if (window.size() == CHAINS) {
                x ^= window.poll().join().value()[0];
            }
            window.add(engine.submit(chase(start++ & 8191, 1)));
        }
        while (!window.isEmpty()) {
            x ^= window.poll().join().value()[0];
        }
        return x;
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    public long requestsByCallback() throws InterruptedException {
        AtomicInteger tickets = new AtomicInteger(REQUESTS);
        AtomicLong x = new AtomicLong();
        CountDownLatch ended = new CountDownLatch(CHAINS);
        for (int i = 0; i < CHAINS; i++) {
            int first = start++ & 8191;
            BiConsumer<XrpResult<long[]>, Throwable> loop = new BiConsumer<>() {
                @Override
                public void accept(XrpResult<long[]> r, Throwable failure) {
                    if (failure != null || !r.ok()) {
                        throw new IllegalStateException("request failed: " + (failure != null ? failure : r.outcome()));
                    }
                    x.getAndAdd(r.value()[0]);
                    if (tickets.getAndDecrement() > 0) {
                        engine.submit(chase((int) (r.value()[1] & 8191), 1), this);
                    } else {
                        ended.countDown();
                    }
                }
            };
            tickets.getAndDecrement();
            engine.submit(chase(first, 1), loop);
        }
        if (!ended.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("callback loops did not finish");
        }
        return x.get();
    }

    @Benchmark
    @OperationsPerInvocation(CHAINS * HOPS)
    public long hops() {
        List<CompletableFuture<XrpResult<long[]>>> fs = new ArrayList<>(CHAINS);
        for (int i = 0; i < CHAINS; i++) {
            fs.add(engine.submit(chase(start++ & 8191, HOPS)));
        }
        long x = 0;
        for (CompletableFuture<XrpResult<long[]>> f : fs) {
            x ^= f.join().value()[0];
        }
        return x;
    }
}
