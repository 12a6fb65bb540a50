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
        return new PointResult(p, rep, rep, p.mode().cliName, requests, 0, 0, requests / throughput, h, 50,
                p.mode().engine() ? 5 : Double.NaN, p.mode().engine() ? userNanosPerHop : Double.NaN, p.mode().engine() ? 2000 : Double.NaN);
    }

    private static PointResult withCpu(MatrixPoint p, int rep, double cpuNanosPerHop) {
        PointResult r = result(p, rep, 8000);
        return new PointResult(p, rep, rep, r.backend(), r.requests(), 0, 0, r.seconds(), r.latency(), r.cpuMicrosPerLookup(),
                r.hopsPerLookup(), r.engineUserNanosPerHop(), cpuNanosPerHop);
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
        assertEquals(4.0, s.vsPread(e18).value(), 1e-9);
        assertEquals(10_000, s.ceiling(e18.point()), 1e-9);
        assertEquals(0.8, s.vsCeiling(e18).value(), 1e-9);
        Summary.Aggregated e28 = s.points().get(4);
        assertEquals(3.0, s.vsPread(e28).value(), 1e-9);
        assertEquals(0.75, s.vsCeiling(e28).value(), 1e-9);
        Summary.Aggregated e11 = s.points().get(1);
        assertTrue(Double.isNaN(s.ceiling(new MatrixPoint(BenchMode.URING, "java", 4, 1, 4, 0, 0))), "depth 4 not measured");
        assertEquals(2500 / 3000.0, s.vsCeiling(e11).value(), 1e-9);

        List<Summary.Headline> h = s.headlines();
        assertEquals(1, h.size());
        assertEquals(9000, h.getFirst().best().throughput(), 1e-6);
        assertEquals(0.75, h.getFirst().vsCeilingAtDepth().value(), 1e-9);
        assertEquals(9000 / 12_000.0, h.getFirst().vsBestCeiling(), 1e-9);
        assertEquals(4.0, h.getFirst().bestVsPread().value(), 1e-9);
        assertEquals(1, h.getFirst().bestVsPreadThreads());
        assertEquals(900, h.getFirst().engineNanosPerHop(), 1e-9, "the verdict's figure is the best point's");
        assertEquals(800, h.getFirst().cheapest().representative().engineUserNanosPerHop(), 1e-9);
        assertEquals(1, h.getFirst().dearest().point().inflight());

        String table = s.table();
        assertTrue(table.contains("| uring/java T1 I8 L4 C0 | 8000 | 1 | n=1 |"), table);
        assertTrue(table.contains("| 4.00x | 80% |"), table);
        String text = s.headlineText();
        assertTrue(text.contains("target >= 80%: NOT met (one repetition)") && text.contains("target >= 2.5x: met (one repetition)")
                && text.contains("at the best point: 900 ns (target < 1000 ns: met")
                && text.contains("over all closed-loop points: 800 ns (T1 I8) to 3000 ns (T1 I1)"), text);
    }

    @Test
    void theCeilingIsTheBetterOfTheMeasurementsBeforeAndAfter() {
        Summary s = new Summary(List.of(result(engine(1, 8), 0, 8000)), List.of(
                new DeviceLimit(8, 512, 40_000, "fio", 1, "before"), new DeviceLimit(8, 512, 50_000, "fio", 1, "after")), 0.1);
        assertEquals(10_000, s.ceiling(engine(1, 8)), 1e-9);
        assertEquals(0.8, s.vsCeiling(s.points().getFirst()).value(), 1e-9);
        assertTrue(s.limitsTable().contains("| 8 | 40000 | 50000 | 50000 | - | - | - | - | fio | 5 reads: 10000 |"), s.limitsTable());
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
        assertEquals(3, a.repetitions().size());
        assertEquals(1100, a.throughput(), 1e-6);
        assertEquals(300 / 1100.0, a.spread(), 1e-9);
        assertEquals(List.of(a), s.unstablePoints());
        assertTrue(s.table().contains("27.3% (!)"), s.table());
        assertTrue(s.headlineText().contains("spread more than 10%"), s.headlineText());

        Summary steady = new Summary(List.of(result(p, 0, 1000), result(p, 1, 1050)), List.of(), 0.1);
        assertTrue(steady.unstablePoints().isEmpty());
        assertEquals(1000, steady.points().getFirst().throughput(), 1e-6, "lower median of two");
    }

    @Test
    void anEbpfFunctionIsHeldToTheJavaFunctionInReactorCpuPerHopAtTheSamePoint() {
        MatrixPoint java = engine(1, 128);
        MatrixPoint jit = new MatrixPoint(BenchMode.URING, "bpf-jit", 4, 1, 128, 0, 0);
        MatrixPoint interp = new MatrixPoint(BenchMode.URING, "bpf-interp", 4, 1, 128, 0, 0);
        MatrixPoint lonely = new MatrixPoint(BenchMode.URING, "bpf-jit", 4, 2, 128, 0, 0); // no Java point at T2
        double[] javaCpu = {2800, 2900, 2850};
        double[] jitCpu = {2860, 2950, 2900}; // about 1.02x, round by round
        double[] interpCpu = {4200, 4400, 4300};
        List<PointResult> results = new java.util.ArrayList<>();
        for (int rep = 0; rep < 3; rep++) {
            results.add(withCpu(java, rep, javaCpu[rep]));
            results.add(withCpu(jit, rep, jitCpu[rep]));
            results.add(withCpu(interp, rep, interpCpu[rep]));
            results.add(withCpu(lonely, rep, 3000));
        }
        Summary s = new Summary(results, List.of(), 0.1);
        Ratio j = s.cpuVsJava(s.points().get(1));
        double expected = Math.exp((Math.log(2860 / 2800.0) + Math.log(2950 / 2900.0) + Math.log(2900 / 2850.0)) / 3);
        assertEquals(expected, j.value(), 1e-9);
        assertTrue(j.hasInterval() && j.low() < expected && j.high() < Summary.TARGET_CPU_VS_JAVA, j.toString());
        Ratio i = s.cpuVsJava(s.points().get(2));
        assertTrue(i.low() > 1.4 && i.high() < 1.6, i.toString());
        assertFalse(s.cpuVsJava(s.points().get(0)).known(), "the Java function is the reference, not held to itself");
        assertFalse(s.cpuVsJava(s.points().get(3)).known(), "no Java point with the same threads");
        assertTrue(s.table().contains("| " + j.format() + " | - | - |"), s.table());
        String text = s.headlineText();
        assertTrue(text.contains("against the Java function at the same point (T1 I128): " + j.format() + " (target <= 1.05x: met)"), text);
        assertTrue(text.contains(i.format() + " (target <= 1.05x: NOT met)"), text);
        assertEquals(2, text.split("against the Java function", -1).length - 1, "one line per eBPF group whose best point has a Java point: " + text);
        Map<String, Object> row = s.rows().get(1);
        assertEquals(j.low(), (Double) row.get("cpu_vs_java_low"), 1e-12);
        assertTrue(Double.isNaN((Double) s.rows().get(0).get("cpu_vs_java")));

        // a spread that straddles the target is neither met nor missed
        Summary wide = new Summary(List.of(withCpu(java, 0, 2800), withCpu(jit, 0, 2700), withCpu(java, 1, 2800),
                withCpu(jit, 1, 3200)), List.of(), 0.1);
        assertTrue(wide.headlineText().contains("unclear (the interval spans it)"), wide.headlineText());
    }

    @Test
    void rowsCarryTheRatiosAndNoRatioIsMadeUp() {
        Summary s = new Summary(List.of(result(engine(1, 8), 0, 5000)), List.of(), 0.1);
        Map<String, Object> row = s.rows().getFirst();
        assertTrue(Double.isNaN((Double) row.get("vs_pread")));
        assertTrue(Double.isNaN((Double) row.get("vs_device")));
        assertTrue(Double.isNaN((Double) row.get("spread")), "one repetition has no spread");
        assertEquals(false, row.get("unstable"));
        assertFalse(s.headlineText().contains("NaN"), s.headlineText());
        assertTrue(s.headlineText().contains("not measured"), s.headlineText());
    }

    @Test
    void interleavedRepetitionsGiveAPairedIntervalOnEveryRatio() {
        List<PointResult> results = List.of(
                result(pread(1), 0, 2000), result(engine(1, 8), 0, 8200),
                result(pread(1), 1, 2100), result(engine(1, 8), 1, 8100),
                result(pread(1), 2, 1900), result(engine(1, 8), 2, 7800));
        List<DeviceLimit> limits = List.of(new DeviceLimit(8, 512, 50_000, "fio", 1, "before"));
        Summary s = new Summary(results, limits, 0.1);
        Summary.Aggregated e = s.points().get(1);
        Ratio r = s.vsPread(e);
        // per-round ratios 4.1, 3.857, 4.105: their geometric mean, and an interval around it
        double expected = Math.exp((Math.log(8200 / 2000.0) + Math.log(8100 / 2100.0) + Math.log(7800 / 1900.0)) / 3);
        assertEquals(expected, r.value(), 1e-9);
        assertTrue(r.hasInterval() && r.low() < expected && expected < r.high() && r.low() > 3 && r.high() < 5.5, r.toString());
        Ratio c = s.vsCeiling(e);
        assertTrue(c.hasInterval() && c.low() < c.value() && c.value() < c.high(), c.toString());
        assertTrue(s.table().contains("| " + r.format() + " | " + c.formatPercent() + " |"), s.table());
        assertTrue(r.format().matches("4\\.0[0-9]x \\[[0-9.]+, [0-9.]+\\]"), r.format());
        Map<String, Object> row = s.rows().get(1);
        assertEquals(r.low(), (Double) row.get("vs_pread_low"), 1e-12);
        assertEquals(r.high(), (Double) row.get("vs_pread_high"), 1e-12);
    }

    @Test
    void aPairedIntervalIsTheStudentTIntervalOfTheLogRatios() {
        // logs of the ratios: ln 2, ln 2, ln 2 -> no spread, the interval closes on the ratio
        Ratio same = Ratio.paired(new double[] {2, 4, 6}, new double[] {1, 2, 3});
        assertEquals(2, same.value(), 1e-12);
        assertEquals(2, same.low(), 1e-12);
        assertEquals(2, same.high(), 1e-12);
        // two rounds, ratios e and e^3: mean log 2, sd sqrt(2), t(1, 0.975) = 12.706
        Ratio two = Ratio.paired(new double[] {Math.E, Math.exp(3)}, new double[] {1, 1});
        double half = 12.7062047 * Math.sqrt(2) / Math.sqrt(2);
        assertEquals(Math.exp(2), two.value(), 1e-9);
        assertEquals(Math.exp(2 - half), two.low(), 1e-4);
        assertEquals(Math.exp(2 + half), two.high(), Math.exp(2 + half) * 1e-6);
        assertTrue(!Ratio.paired(new double[] {3}, new double[] {1}).hasInterval(), "one round: no interval");
    }

    @Test
    void aDeviceThatMovedMoreThanThePointsSpreadIsAWarning() {
        MatrixPoint p = engine(1, 8);
        List<PointResult> reps = List.of(result(p, 0, 1000), result(p, 1, 1020), result(p, 2, 1010));
        Summary moved = new Summary(reps, List.of(new DeviceLimit(8, 512, 50_000, "fio", 1, "before"),
                new DeviceLimit(8, 512, 40_000, "fio", 1, "after")), 0.05);
        assertEquals(1, moved.driftWarnings().size(), moved.driftWarnings().toString());
        assertTrue(moved.driftWarnings().getFirst().contains("depth 8 moved by 20%"), moved.driftWarnings().toString());
        assertTrue(moved.headlineText().contains("**warning**"), moved.headlineText());
        Summary steady = new Summary(reps, List.of(new DeviceLimit(8, 512, 50_000, "fio", 1, "before"),
                new DeviceLimit(8, 512, 49_500, "fio", 1, "after")), 0.05);
        assertTrue(steady.driftWarnings().isEmpty(), steady.driftWarnings().toString());
    }

    @Test
    void openLoopPointsThatMissTheirRateAreFlagged() {
        MatrixPoint open = pread(1).atRate(5000);
        Summary s = new Summary(List.of(result(open, 0, 4000), result(engine(1, 8).atRate(5000), 0, 4990)), List.of(), 0.1);
        assertTrue(s.points().get(0).missedRate());
        assertTrue(!s.points().get(1).missedRate(), "99.8% of the rate is carried");
        assertTrue(s.table().contains("| 4000 (missed) |"), s.table());
        assertTrue(s.headlineText().contains("1 open-loop point(s) missed their offered rate"), s.headlineText());
    }

    @Test
    void fioJsonGivesIopsAndReadLatency() throws IOException {
        String fio = """
                note: both iodepth >= 1 and synchronous I/O engine are selected
                {"fio version": "fio-3.33", "jobs": [{"jobname": "jxrp-device-limit", "read": {"iops": 15833.887, "runtime": 301,
                  "lat_ns": {"min": 1000, "max": 9000000, "mean": 251109.7, "percentile": {"50.000000": 69120, "99.000000": 3751936,
                  "99.900000": 12517376}}}}]}
                """;
        DeviceLimit l = DeviceLimitProbe.parseFioJson(fio, 4, 512, "before");
        assertEquals(15833.887, l.iops(), 1e-9);
        assertEquals(0.301, l.seconds(), 1e-9);
        assertEquals(251.1097, l.latency().meanMicros(), 1e-9);
        assertEquals(69.12, l.latency().p50Micros(), 1e-9);
        assertEquals(3751.936, l.latency().p99Micros(), 1e-9);
        assertEquals(12517.376, l.latency().p999Micros(), 1e-9);
        assertEquals(5 * 251.1097, l.latencyFloorMicros(5), 1e-9);
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> DeviceLimitProbe.parseFioJson("fio: some error\n", 1, 512, "before"));
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> DeviceLimitProbe.parseFioJson("{\"jobs\": []}", 1, 512, "before"));
    }
}
