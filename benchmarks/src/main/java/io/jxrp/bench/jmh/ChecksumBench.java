package io.jxrp.bench.jmh;

import io.jxrp.bpfkv.io.BlockChecksums;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * BPF-KV's block check alone: {@link BlockChecksums#verify} of one 512 B block in a native buffer (the
 * engine's I/O slab), as the engine calls it on every hop: a CRC32C through the JDK's intrinsic and
 * the compare with the table. {@code EngineHopBench -p verifier=none,crc32c} shows it inside a hop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChecksumBench {
    private static final int BLOCKS = 64;

    private MemorySegment buffer;
    private BlockChecksums sums;
    private int block;

    @Setup
    public void setUp() {
        buffer = Arena.ofAuto().allocate(BLOCKS * 512L, 4096);
        byte[] bytes = new byte[BLOCKS * 512];
        new Random(1).nextBytes(bytes);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, buffer, 0, bytes.length);
        BlockChecksums.Builder builder = new BlockChecksums.Builder(BLOCKS * 512L);
        builder.add(0, buffer, 0, BLOCKS);
        sums = builder.build(java.nio.file.Path.of("bench.db"));
    }

    @Benchmark
    public long verifyOneBlock() {
        int b = block++ & (BLOCKS - 1);
        return sums.verify(b * 512L, buffer, b * 512L, 512);
    }

    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    private final byte[] heap = new byte[512];

    /** The block's CRC32C through a copy into a heap array first (what verify avoids for native buffers). */
    @Benchmark
    public int crc32cThroughAHeapCopy() {
        int b = block++ & (BLOCKS - 1);
        return io.jxrp.bpfkv.format.ChecksumDescriptor.crc32c(buffer, b * 512L, 512);
    }

    /** The block's CRC32C in place (the native buffer through a ByteBuffer view, as verify does). */
    @Benchmark
    public int crc32cInPlace() {
        int b = block++ & (BLOCKS - 1);
        return io.jxrp.bpfkv.format.ChecksumDescriptor.blockCrc(buffer, b * 512L);
    }

    /** The CRC32C of a 512 B heap array alone: the intrinsic's floor. */
    @Benchmark
    public long crc32cOfAHeapBlock() {
        crc.reset();
        crc.update(heap, 0, 512);
        return crc.getValue();
    }
}
