package io.jxrp.bench.jmh;

import io.jxrp.nvme.spdk.SpdkController;
import io.jxrp.nvme.spdk.SpdkQueuePair;
import io.jxrp.nvme.spdk.TransportId;
import java.io.IOException;
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
 * {@link ShimRoundTripBench} on the SPDK shim: a batch of random 512 B reads of an NVMe namespace,
 * submitted and reaped by polling, one native call per poll. Needs a running target:
 * {@code -p target='spdk:trtype:TCP adrfam:IPv4 traddr:127.0.0.1 trsvcid:4420 subnqn:... ns:1'}
 * (compare with {@code spdk_nvme_perf -q <batch> -o 512 -w randread} on the same namespace).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SpdkRoundTripBench {
    private static final int BLOCK = 512;

    @Param({"1", "8", "32"})
    int batch;

    /** The namespace to read: {@code spdk:<transport ID> ns:N}; required. */
    @Param({""})
    String target;

    private SpdkController controller;
    private SpdkQueuePair qp;
    private int handle;
    private long blocks;
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
        if (target.isBlank()) {
            throw new IllegalArgumentException("SpdkRoundTripBench needs a target: -p target='spdk:<transport ID> ns:N'");
        }
        TransportId id = TransportId.parse(target);
        controller = SpdkController.connect(id);
        qp = SpdkQueuePair.open(64, 64, 4096);
        handle = qp.attach(controller, id.nsid());
        blocks = qp.namespace(handle).sizeBytes() / BLOCK;
    }

    @TearDown(Level.Trial)
    public void close() {
        qp.close();
        controller.close();
    }

    @Benchmark
    public int roundTrip(Ios counter) {
        for (int i = 0; i < batch; i++) {
            qp.addRead(i, handle, rnd.nextLong(blocks) * BLOCK, BLOCK, i);
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
}
