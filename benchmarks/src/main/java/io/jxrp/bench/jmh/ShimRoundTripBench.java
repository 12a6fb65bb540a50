package io.jxrp.bench.jmh;

import io.jxrp.nvme.QueuePair;
import io.jxrp.nvme.QueuePairConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One shim round trip: stage a batch of random 512 B O_DIRECT reads, submit and reap them all with
 * as few native calls as the device allows. The score is per batch; the {@code ios} counter gives
 * I/Os per second, so the per-I/O cost is the batch time divided by the batch size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShimRoundTripBench {
    private static final int BLOCK = 512;
    private static final long FILE_BYTES = 64L << 20;

    @Param({"1", "8", "32"})
    int batch;

    private QueuePair qp;
    private final SplittableRandom rnd = new SplittableRandom(7);

    /** I/Os completed, reported by JMH as a rate next to the per-batch time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Ios {
        public long ios;

        @Setup(Level.Iteration)
        public void reset() {
            ios = 0;
        }
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path file = BenchFiles.file("shim-roundtrip.bin", FILE_BYTES);
        qp = QueuePair.open(new QueuePairConfig(List.of(file), false, 64, 64, 4096));
    }

    @TearDown(Level.Trial)
    public void close() {
        qp.close();
    }

    @Benchmark
    public int roundTrip(Ios counter) throws IOException {
        long blocks = FILE_BYTES / BLOCK;
        for (int i = 0; i < batch; i++) {
            qp.addRead(i, 0, rnd.nextLong(blocks) * BLOCK, BLOCK, i);
        }
        int done = 0;
        int sum = 0;
        while (done < batch) {
            int n = qp.submitAndReap(1, -1);
            for (int i = 0; i < n; i++) {
                sum += qp.completionResult(i);
            }
            done += n;
        }
        counter.ios += batch;
        return sum;
    }

    /** Files the microbenchmarks read: under ./data (a disk file system with O_DIRECT), created once. */
    static final class BenchFiles {
        private BenchFiles() {
        }

        static Path dir() throws IOException {
            Path dir = Path.of(System.getProperty("jxrp.bench.dir", "data"));
            Files.createDirectories(dir);
            return dir;
        }

        static Path file(String name, long bytes) throws IOException {
            Path f = dir().resolve(name);
            if (Files.exists(f) && Files.size(f) == bytes) {
                return f;
            }
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            SplittableRandom r = new SplittableRandom(1);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long written = 0; written < bytes; written += chunk.capacity()) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        chunk.putLong(r.nextLong());
                    }
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        ch.write(chunk);
                    }
                }
                ch.force(true);
            }
            return f;
        }
    }
}
