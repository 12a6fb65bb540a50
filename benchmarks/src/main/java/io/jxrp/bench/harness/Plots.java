package io.jxrp.bench.harness;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's PNG plots, drawn with XChart: throughput vs threads, the latency CDF, latency vs
 * layers beside XRP's published Table 3, and (with open-loop points) p99 latency vs throughput.
 */
final class Plots {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 650;
    /** Distinct, print-safe colors (matplotlib's tab10) so neighbouring series stay apart. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    /** Reference lines (XRP's paper, the device ceiling): dark, dashed. */
    private static final Color[] REFERENCE = {Color.BLACK, new Color(0x555555), new Color(0x8b0000), new Color(0x00008b)};

    /**
     * XRP (OSDI'22) Table 3, average lookup latency in microseconds at index depth 1 and 6 on an Optane
     * P5800X. The paper's per-hop costs (SPDK ~3.0, XRP ~3.7, read()/io_uring ~7.1 us) make the
     * depths between a straight line; the plot draws it so.
     */
    static final Map<String, double[]> XRP_TABLE3 = new LinkedHashMap<>();

    static {
        XRP_TABLE3.put("XRP (paper)", new double[] {10.7, 29.3});
        XRP_TABLE3.put("read() (paper)", new double[] {13.4, 48.8});
        XRP_TABLE3.put("io_uring (paper)", new double[] {13.6, 49.3});
        XRP_TABLE3.put("SPDK (paper)", new double[] {5.2, 20.2});
    }

    private Plots() {
    }

    /** Writes every plot that has data; returns the files written. */
    static List<Path> write(Path dir, Summary summary, List<PeerRunner.Run> peers) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        save(throughputVsThreads(summary, peers), dir.resolve("throughput-vs-threads.png"), written);
        save(latencyCdf(summary), dir.resolve("latency-cdf.png"), written);
        save(latencyVsLayers(summary), dir.resolve("latency-vs-layers.png"), written);
        save(latencyVsThroughput(summary), dir.resolve("latency-vs-throughput.png"), written);
        return written;
    }

    private static void save(XYChart chart, Path file, List<Path> written) throws IOException {
        if (chart == null) {
            return;
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            ChartEncoder.saveChart(chart, out, "png");
        }
        written.add(file);
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(16f));
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(13f));
        return chart;
    }

    /** The layer count and cache level most points share (the plots that fix them use these). */
    private static MatrixPoint reference(Summary summary) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        MatrixPoint best = null;
        int bestCount = 0;
        for (Summary.Aggregated a : summary.points()) {
            String key = a.point().layers() + "/" + a.point().cacheLevels();
            int c = counts.merge(key, 1, Integer::sum);
            if (c > bestCount) {
                bestCount = c;
                best = a.point();
            }
        }
        return best;
    }

    static XYChart throughputVsThreads(Summary summary, List<PeerRunner.Run> peers) {
        MatrixPoint ref = reference(summary);
        if (ref == null) {
            return null;
        }
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        TreeMap<Integer, Double> ceiling = new TreeMap<>();
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || p.layers() != ref.layers() || p.cacheLevels() != ref.cacheLevels()) {
                continue;
            }
            String name = p.mode().engine() ? p.mode() + "/" + p.function() + " inflight " + p.inflight() : "pread";
            series.computeIfAbsent(name, k -> new TreeMap<>()).put(p.threads(), a.throughput());
            double c = summary.ceiling(p);
            if (Double.isFinite(c)) {
                ceiling.merge(p.threads(), c, Math::max);
            }
        }
        XYChart chart = chart("BPF-KV lookups/s vs threads (L=" + ref.layers() + ", cache " + ref.cacheLevels()
                + ", closed loop)", "threads", "lookups/s");
        for (Map.Entry<String, TreeMap<Integer, Double>> e : series.entrySet()) {
            addSeries(chart, e.getKey(), e.getValue());
        }
        TreeMap<Integer, Double> peer = new TreeMap<>();
        for (PeerRunner.Run r : peers) {
            if (r.output() != null && r.layers() == ref.layers()) {
                peer.put(r.threads(), r.output().throughput());
            }
        }
        if (!peer.isEmpty()) {
            addSeries(chart, "peer binary", peer);
        }
        if (!ceiling.isEmpty()) {
            XYSeries s = addSeries(chart, "device ceiling (deepest point per thread count)", ceiling);
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.BLACK);
        }
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    static XYChart latencyCdf(Summary summary) {
        MatrixPoint ref = reference(summary);
        if (ref == null) {
            return null;
        }
        int maxThreads = summary.points().stream().mapToInt(a -> a.point().threads()).max().orElse(1);
        XYChart chart = chart("Lookup latency CDF (L=" + ref.layers() + ", " + maxThreads + " thread(s), closed loop)",
                "latency (us, log scale)", "fraction of lookups <= latency");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setMarkerSize(0);
        int n = 0;
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || p.layers() != ref.layers() || p.cacheLevels() != ref.cacheLevels() || p.threads() != maxThreads) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            var h = a.representative().latency();
            long total = h.getTotalCount();
            if (total == 0) {
                continue;
            }
            for (HistogramIterationValue v : h.recordedValues()) {
                x.add(Math.max(0.1, h.highestEquivalentValue(v.getValueIteratedTo()) / 1e3));
                y.add(v.getTotalCountToThisValue() / (double) total);
            }
            XYSeries s = chart.addSeries(p.label(), x, y);
            s.setMarker(SeriesMarkers.NONE);
            n++;
        }
        return n == 0 ? null : chart;
    }

    static XYChart latencyVsLayers(Summary summary) {
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || p.threads() != 1 || p.inflight() != 1 || p.cacheLevels() != 0) {
                continue;
            }
            String name = (p.mode().engine() ? p.mode() + "/" + p.function() : "pread") + " (jxrp, this host)";
            series.computeIfAbsent(name, k -> new TreeMap<>()).put(p.layers(), a.representative().meanMicros());
        }
        XYChart chart = chart("Average lookup latency vs layers, 1 thread, 1 in flight, no cache",
                "index layers (XRP: index depth)", "average latency (us, log scale)");
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("0");
        for (Map.Entry<String, TreeMap<Integer, Double>> e : series.entrySet()) {
            addSeries(chart, e.getKey(), e.getValue());
        }
        int ref = 0;
        for (Map.Entry<String, double[]> e : XRP_TABLE3.entrySet()) {
            TreeMap<Integer, Double> line = new TreeMap<>();
            for (int depth = 1; depth <= 6; depth++) {
                line.put(depth, e.getValue()[0] + (e.getValue()[1] - e.getValue()[0]) * (depth - 1) / 5.0);
            }
            XYSeries s = addSeries(chart, e.getKey() + ", Optane P5800X", line);
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(REFERENCE[ref++ % REFERENCE.length]);
        }
        return chart;
    }

    static XYChart latencyVsThroughput(Summary summary) {
        // per closed-loop configuration: (achieved throughput, p99) in the order of the target rate, so an
        // overloaded point (achieved below target) bends the curve back as it should
        Map<String, TreeMap<Double, double[]>> series = new LinkedHashMap<>();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (!p.openLoop()) {
                continue;
            }
            double p99 = a.representative().percentileMicros(99);
            if (!Double.isFinite(p99)) {
                continue;
            }
            series.computeIfAbsent(p.closed().label(), k -> new TreeMap<>()).put(p.targetRate(), new double[] {a.throughput(), p99});
            min = Math.min(min, Math.max(p99, 1));
            max = Math.max(max, p99);
        }
        if (series.isEmpty()) {
            return null;
        }
        XYChart chart = chart("Open loop: p99 latency vs achieved throughput (points in order of the target rate)",
                "lookups/s achieved", "p99 latency (us" + (max / min > 20 ? ", log scale)" : ")"));
        for (Map.Entry<String, TreeMap<Double, double[]>> e : series.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double[] point : e.getValue().values()) {
                x.add(point[0]);
                y.add(Math.max(point[1], 1));
            }
            chart.addSeries(e.getKey(), x, y);
        }
        // XChart labels only whole decades on a log axis: use one only when the p99s span more than one
        if (max / min > 20) {
            chart.getStyler().setYAxisLogarithmic(true);
        } else {
            chart.getStyler().setYAxisMin(0.0);
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        return chart;
    }

    private static XYSeries addSeries(XYChart chart, String name, TreeMap<Integer, Double> points) {
        List<Double> x = new ArrayList<>();
        for (Integer k : points.keySet()) {
            x.add(k.doubleValue());
        }
        return chart.addSeries(name, x, new ArrayList<>(points.values()));
    }
}
