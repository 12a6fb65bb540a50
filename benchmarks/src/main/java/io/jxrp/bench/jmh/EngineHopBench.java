package io.jxrp.bench.jmh;

import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.ResubmissionEngine;
import io.jxrp.engine.XrpResult;
import io.jxrp.engine.chain.ChainFile;
import io.jxrp.engine.chain.ChainFunctions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per hop, device and kernel taken out ({@link MemoryBackend}): 64 chains of
 * 64 dependent hops in flight at once, so the reactor never waits; the score is time per hop.
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

    private ResubmissionEngine engine;
    private int start;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Path file = ShimRoundTripBench.BenchFiles.dir().resolve("engine-hops.bin");
        ChainFile chain = ChainFile.create(file, 8192, 5);
        engine = ResubmissionEngine.open(chain.path, EngineOptions.defaults().withMaxInflightRequests(CHAINS)
                .withQueueDepth(128).withHopBudget(HOPS + 1), new MemoryBackend());
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    @OperationsPerInvocation(CHAINS * HOPS)
    public long hops() {
        List<CompletableFuture<XrpResult<long[]>>> fs = new ArrayList<>(CHAINS);
        for (int i = 0; i < CHAINS; i++) {
            fs.add(engine.submit(ChainFunctions.chase(start++ & 8191, HOPS)));
        }
        long x = 0;
        for (CompletableFuture<XrpResult<long[]>> f : fs) {
            x ^= f.join().value()[0];
        }
        return x;
    }
}
