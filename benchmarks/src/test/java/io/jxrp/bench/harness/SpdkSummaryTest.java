package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** spdk points are held to the namespace's limits (spdk_nvme_perf), the others to the file's; spdk vs uring. */
class SpdkSummaryTest {
    private static PointResult result(MatrixPoint p, double throughput) {
        Histogram h = new Histogram(3);
        h.recordValue(100_000);
        long requests = 10_000;
        return new PointResult(p, 0, 0, p.mode().cliName, requests, 0, 0, requests / throughput, h, 50, 5, 800, 2000);
    }

    private static MatrixPoint point(BenchMode mode, int inflight) {
        return new MatrixPoint(mode, "java", 4, 1, inflight, 0, 0);
    }

    @Test
    void eachModeIsHeldToItsOwnDevice() {
        List<PointResult> results = List.of(result(point(BenchMode.URING, 32), 8_000), result(point(BenchMode.SPDK, 32), 12_000),
                result(point(BenchMode.SPDK, 1), 2_000));
        List<DeviceLimit> limits = List.of(new DeviceLimit(32, 512, 50_000, "fio", 1, "before"),
                new DeviceLimit(32, 512, 100_000, "spdk_nvme_perf", 1, DeviceLimit.NAMESPACE, "before"),
                new DeviceLimit(32, 512, 80_000, "spdk_nvme_perf", 1, DeviceLimit.NAMESPACE, "after"));
        Summary s = new Summary(results, limits, 0.1);
        Summary.Aggregated uring = s.points().get(0);
        Summary.Aggregated spdk = s.points().get(1);
        assertEquals(10_000, s.ceiling(uring.point()), 1e-9, "fio on the file: 50,000 IOPS / 5 reads");
        assertEquals(20_000, s.ceiling(spdk.point()), 1e-9, "spdk_nvme_perf, the better phase: 100,000 / 5");
        assertEquals(0.6, s.vsCeiling(spdk).value(), 1e-9);
        assertEquals(1.5, s.vsUring(spdk).value(), 1e-9);
        assertTrue(!s.vsUring(s.points().get(2)).known(), "no uring point at I1");
        assertTrue(!s.vsPread(spdk).known(), "pread reads the file, spdk the namespace");
        assertTrue(s.limitsTable(DeviceLimit.NAMESPACE).contains("| 32 | 100000 | 80000 | 100000 | - | - | - | - | spdk_nvme_perf |"),
                s.limitsTable(DeviceLimit.NAMESPACE));
        assertTrue(s.limitsTable().contains("| 32 | 50000 | - | 50000 | - | - | - | - | fio |"), s.limitsTable());
        String text = s.headlineText();
        assertTrue(text.contains("spdk point by point") && text.contains("T1 I32 12000 (p50 ") && text.contains("60%; 1.50x"),
                text);
    }

    @Test
    void spdkNvmePerfsTotalLine() throws IOException {
        String output = """
                Initializing NVMe Controllers
                Attached to NVMe over Fabrics controller at 127.0.0.1:4420: nqn.2016-06.io.spdk:cnode1
                ========================================================
                                                                                           Latency(us)
                Device Information                                                     :       IOPS      MiB/s    Average        min        max
                TCP (addr:127.0.0.1 subnqn:nqn.2016-06.io.spdk:cnode1) NSID 1 from core  0:  119012.70      58.11     269.42      95.01    1405.18
                ========================================================
                Total                                                                  :  119012.70      58.11     269.42      95.01    1405.18
                """;
        assertEquals(119_012.70, SpdkPerfProbe.parseTotalIops(output), 1e-6);
        assertThrows(IOException.class, () -> SpdkPerfProbe.parseTotalIops("spdk_nvme_perf: connect failed"));
    }
}
