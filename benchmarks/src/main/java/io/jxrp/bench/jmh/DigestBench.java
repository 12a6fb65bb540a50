package io.jxrp.bench.jmh;

import io.jxrp.engine.digest.ExtentMap;
import io.jxrp.engine.digest.IdentityDigest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Digest translation per hop: the FIEMAP extent map's binary search by extent count, and the identity digest. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class DigestBench {
    @Param({"1", "64", "4096"})
    int extents;

    private ExtentMap map;
    private IdentityDigest identity;
    private long[] offsets;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<ExtentMap.Mapping> ms = new ArrayList<>();
        long logical = 0;
        for (int i = 0; i < extents; i++) {
            long len = (1 + rnd.nextInt(256)) * 4096L;
            ms.add(new ExtentMap.Mapping(logical, rnd.nextLong(1L << 30) * 4096, len, true));
            logical += len;
        }
        map = new ExtentMap(ms);
        identity = new IdentityDigest(Path.of("bench"), logical);
        offsets = new long[4096];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = rnd.nextLong(logical / 512) * 512;
        }
    }

    @Benchmark
    public long extentMap() {
        return map.translate(offsets[next++ & 4095], 512);
    }

    @Benchmark
    public long identity() {
        return identity.translate(offsets[next++ & 4095], 512);
    }
}
