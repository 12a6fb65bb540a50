package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static PointResult result(MatrixPoint p, int rep, double throughput) {
        return result(p, rep, throughput, 800);
    }

    private static PointResult result(MatrixPoint p, int rep, double throughput, double userNanosPerHop) {
        Histogram h = new Histogram(3);
        h.recordValue(100_000);
        h.recordValue(200_000);
        long requests = 10_000;
        return new PointResult(p, rep, p.mode().cliName, requests, 0, 0, requests / throughput, h, 50,
                p.mode().engine() ? 5 : Double.NaN, p.mode().engine() ? userNanosPerHop : Double.NaN, p.mode().engine() ? 2000 : Double.NaN);
    }

    private static MatrixPoint engine(int threads, int inflight) {
        return new MatrixPoint(BenchMode.URING, "java", 4, threads, inflight, 0, 0);
    }

    private static MatrixPoint pread(int threads) {
        return new MatrixPoint(BenchMode.PREAD, "-", 4, threads, 1, 0, 0);
    }

    @Test
    void ratiosAgainstPreadAndTheDeviceCeiling() {
        List<PointResult> results = List.of(
                result(pread(1), 0, 2000),
                result(engine(1, 1), 0, 2500, 3000),
                result(engine(1, 8), 0, 8000),
                result(pread(2), 0, 3000),
                result(engine(2, 8), 0, 9000, 900));
        // depth 8: 50,000 IOPS -> 10,000 lookups/s at 5 reads; depth 16: 60,000 -> 12,000
        List<DeviceLimit> limits = List.of(new DeviceLimit(1, 512, 15_000, "fio", 1, "before"),
                new DeviceLimit(8, 512, 50_000, "fio", 1, "before"), new DeviceLimit(16, 512, 60_000, "fio", 1, "before"));
        Summary s = new Summary(results, limits, 0.1);
        Summary.Aggregated e18 = s.points().get(2);
        assertEquals(4.0, s.vsPread(e18), 1e-9);
        assertEquals(10_000, s.ceiling(e18.point()), 1e-9);
        assertEquals(0.8, s.vsCeiling(e18), 1e-9);
        Summary.Aggregated e28 = s.points().get(4);
        assertEquals(3.0, s.vsPread(e28), 1e-9);
        assertEquals(0.75, s.vsCeiling(e28), 1e-9);
        Summary.Aggregated e11 = s.points().get(1);
        assertTrue(Double.isNaN(s.ceiling(new MatrixPoint(BenchMode.URING, "java", 4, 1, 4, 0, 0))), "depth 4 not measured");
        assertEquals(2500 / 3000.0, s.vsCeiling(e11), 1e-9);

        List<Summary.Headline> h = s.headlines();
        assertEquals(1, h.size());
        assertEquals(9000, h.getFirst().best().throughput(), 1e-6);
        assertEquals(0.75, h.getFirst().vsCeilingAtDepth(), 1e-9);
        assertEquals(9000 / 12_000.0, h.getFirst().vsBestCeiling(), 1e-9);
        assertEquals(4.0, h.getFirst().bestVsPread(), 1e-9);
        assertEquals(1, h.getFirst().bestVsPreadThreads());
        assertEquals(900, h.getFirst().engineNanosPerHop(), 1e-9, "the verdict's figure is the best point's");
        assertEquals(800, h.getFirst().cheapest().representative().engineUserNanosPerHop(), 1e-9);
        assertEquals(1, h.getFirst().dearest().point().inflight());

        String table = s.table();
        assertTrue(table.contains("| uring/java T1 I8 L4 C0 | 8000 |"), table);
        assertTrue(table.contains("| 4.00x | 80% |"), table);
        String text = s.headlineText();
        assertTrue(text.contains("target >= 80%: NOT met") && text.contains("target >= 2.5x: met")
                && text.contains("at the best point: 900 ns (target < 1000 ns: met")
                && text.contains("over all closed-loop points: 800 ns (T1 I8) to 3000 ns (T1 I1)"), text);
    }

    @Test
    void theCeilingIsTheBetterOfTheMeasurementsBeforeAndAfter() {
        Summary s = new Summary(List.of(result(engine(1, 8), 0, 8000)), List.of(
                new DeviceLimit(8, 512, 40_000, "fio", 1, "before"), new DeviceLimit(8, 512, 50_000, "fio", 1, "after")), 0.1);
        assertEquals(10_000, s.ceiling(engine(1, 8)), 1e-9);
        assertEquals(0.8, s.vsCeiling(s.points().getFirst()), 1e-9);
        assertTrue(s.limitsTable().contains("| 8 | 40000 | 50000 | 50000 | fio | 5 reads: 10000 |"), s.limitsTable());
    }

    @Test
    void cachedLevelsNeedFewerReads() {
        assertEquals(5, engine(1, 1).readsPerLookup());
        assertEquals(3, new MatrixPoint(BenchMode.URING, "java", 4, 1, 1, 2, 0).readsPerLookup());
        assertEquals(1, new MatrixPoint(BenchMode.URING, "java", 2, 1, 1, 3, 0).readsPerLookup());
        assertEquals(16, engine(2, 8).depth());
    }

    @Test
    void repetitionsFoldToTheMedianAndWideSpreadsAreFlagged() {
        MatrixPoint p = engine(1, 8);
        List<PointResult> reps = List.of(result(p, 0, 1000), result(p, 1, 1300), result(p, 2, 1100));
        Summary s = new Summary(reps, List.of(), 0.1);
        Summary.Aggregated a = s.points().getFirst();
        assertEquals(3, a.repetitions());
        assertEquals(1100, a.throughput(), 1e-6);
        assertEquals(300 / 1100.0, a.spread(), 1e-9);
        assertEquals(List.of(a), s.unstablePoints());
        assertTrue(s.table().contains("27% (!)"), s.table());
        assertTrue(s.headlineText().contains("spread more than 10%"), s.headlineText());

        Summary steady = new Summary(List.of(result(p, 0, 1000), result(p, 1, 1050)), List.of(), 0.1);
        assertTrue(steady.unstablePoints().isEmpty());
        assertEquals(1000, steady.points().getFirst().throughput(), 1e-6, "lower median of two");
    }

    @Test
    void rowsCarryTheRatiosAndNoRatioIsMadeUp() {
        Summary s = new Summary(List.of(result(engine(1, 8), 0, 5000)), List.of(), 0.1);
        Map<String, Object> row = s.rows().getFirst();
        assertTrue(Double.isNaN((Double) row.get("vs_pread")));
        assertTrue(Double.isNaN((Double) row.get("vs_device")));
        assertEquals(false, row.get("unstable"));
        assertFalse(s.headlineText().contains("NaN"), s.headlineText());
        assertTrue(s.headlineText().contains("not measured"), s.headlineText());
    }

    @Test
    void fioTerseOutputGivesReadIops() throws IOException {
        assertEquals(34300, DeviceLimitProbe.parseTerseReadIops("3;fio-3.33;x;0;0;17171;17154;34300;1001;1;2;3\n"), 1e-9);
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> DeviceLimitProbe.parseTerseReadIops("fio: some error\n"));
    }
}
