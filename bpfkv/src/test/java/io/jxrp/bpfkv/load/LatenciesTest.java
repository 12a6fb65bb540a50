package io.jxrp.bpfkv.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Values recorded on platform and virtual threads all come out of the merge, none twice. */
class LatenciesTest {
    @Test
    void mergesEveryThreadsValues() throws Exception {
        Latencies latencies = new Latencies();
        Histogram model = new Histogram(3);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            long base = (t + 1) * 1_000L;
            Runnable work = () -> {
                for (int i = 0; i < 10_000; i++) {
                    latencies.record(base + i);
                }
            };
            threads.add(t % 2 == 0 ? Thread.ofPlatform().start(work) : Thread.ofVirtual().start(work));
            for (int i = 0; i < 10_000; i++) {
                model.recordValue(base + i);
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        latencies.record(-5); // clamped to 0, as the engine's own recorder does
        model.recordValue(0);
        Histogram merged = latencies.merged();
        assertEquals(model.getTotalCount(), merged.getTotalCount());
        for (double p : new double[] {0, 50, 90, 99, 99.9, 100}) {
            assertEquals(model.getValueAtPercentile(p), merged.getValueAtPercentile(p), "p" + p);
        }
    }
}
