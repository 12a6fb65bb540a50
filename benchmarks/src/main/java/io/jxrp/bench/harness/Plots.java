package io.jxrp.bench.harness;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.ChartEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's PNG plots, drawn with XChart, for the layer count and cache level most points share:
 * throughput against lookups in flight (the axis the matrix varies) per thread count, latency
 * percentiles on a log-percentile axis per thread count (as HdrHistogram plots them: p50 ... p99.99
 * evenly spaced by their nines), throughput against threads, latency against layers beside XRP's
 * published figures, and, with open-loop points, p99 latency against the offered rate per thread
 * count, with the rates a configuration missed marked.
 */
final class Plots {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 700;
    /** Distinct, print-safe colors (matplotlib's tab10) so neighbouring series stay apart. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    /** XRP's published figures: dark colors, each with its own marker so close values stay apart. */
    private static final Color[] REFERENCE = {Color.BLACK, new Color(0x8b0000), new Color(0x00008b), new Color(0x006400)};
    private static final Marker[] REFERENCE_MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
            SeriesMarkers.TRIANGLE_UP};
    /** The deepest percentile plotted: 99.99%. */
    private static final double MAX_NINES_X = 1e4;

    /**
     * XRP (OSDI'22) Table 3, average lookup latency in microseconds at index depth 1 and 6 on an Optane
     * P5800X: the two depths REFERENCE.md gives. The plot marks those two and joins them with a line.
     */
    static final Map<String, double[]> XRP_TABLE3 = new LinkedHashMap<>();

    static {
        XRP_TABLE3.put("XRP", new double[] {10.7, 29.3});
        XRP_TABLE3.put("read()", new double[] {13.4, 48.8});
        XRP_TABLE3.put("io_uring", new double[] {13.6, 49.3});
        XRP_TABLE3.put("SPDK", new double[] {5.2, 20.2});
    }

    private Plots() {
    }

    /** Writes every plot that has data; returns the files written. */
    static List<Path> write(Path dir, Summary summary, List<PeerRunner.Run> peers) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> written = new ArrayList<>();
        MatrixPoint ref = reference(summary);
        if (ref != null) {
            for (int t : threadCounts(summary, ref)) {
                save(throughputVsInflight(summary, ref, t), dir.resolve("throughput-vs-inflight-T" + t + ".png"), written);
                save(latencyPercentiles(summary, ref, t), dir.resolve("latency-percentiles-T" + t + ".png"), written);
                save(openLoop(summary, ref, t), dir.resolve("open-loop-p99-T" + t + ".png"), written);
            }
            save(throughputVsThreads(summary, peers, ref), dir.resolve("throughput-vs-threads.png"), written);
        }
        save(latencyVsLayers(summary), dir.resolve("latency-vs-layers.png"), written);
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
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(16f));
        chart.getStyler().setPlotGridLinesVisible(true);
        chart.getStyler().setSeriesColors(PALETTE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(12f));
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

    private static boolean sameDatabase(MatrixPoint p, MatrixPoint ref) {
        return p.layers() == ref.layers() && p.cacheLevels() == ref.cacheLevels();
    }

    private static TreeSet<Integer> threadCounts(Summary summary, MatrixPoint ref) {
        TreeSet<Integer> out = new TreeSet<>();
        summary.points().stream().filter(a -> sameDatabase(a.point(), ref)).forEach(a -> out.add(a.point().threads()));
        return out;
    }

    /** Lookups/s against lookups in flight per thread: one line per engine configuration, pread and the device ceiling for reference. */
    static XYChart throughputVsInflight(Summary summary, MatrixPoint ref, int threads) {
        Map<String, TreeMap<Integer, Double>> engine = new LinkedHashMap<>();
        TreeMap<Integer, Double> ceiling = new TreeMap<>();
        Map<String, Double> flat = new LinkedHashMap<>();
        TreeSet<Integer> inflights = new TreeSet<>();
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || !sameDatabase(p, ref) || p.threads() != threads) {
                continue;
            }
            if (p.mode().engine()) {
                engine.computeIfAbsent(p.configuration(), k -> new TreeMap<>()).put(p.inflight(), a.throughput());
                inflights.add(p.inflight());
                double c = summary.ceiling(p);
                if (Double.isFinite(c)) {
                    ceiling.put(p.inflight(), c);
                }
            } else {
                flat.put(p.configuration() + " (one synchronous lookup per thread)", a.throughput());
            }
        }
        if (engine.isEmpty()) {
            return null;
        }
        XYChart chart = chart(String.format(Locale.ROOT, "BPF-KV lookups/s vs lookups in flight, %d thread(s), L=%d, cache %d, closed loop",
                threads, ref.layers(), ref.cacheLevels()), "lookups in flight per thread (log 2 scale)", "lookups/s");
        // in-flight counts are powers of two or near them: place them by log2 on a linear axis, label the whole powers
        chart.setCustomXAxisTickLabelsFormatter(x -> Math.abs(x - Math.rint(x)) < 1e-6 ? String.valueOf(Math.round(Math.pow(2, x))) : "");
        // XChart sizes ticks from the labels of the axis ends, so those are whole powers; a wide spacing
        // hint keeps the ticks on whole powers only (XChart pads the plot, the end markers stay whole)
        chart.getStyler().setXAxisTickMarkSpacingHint(100);
        chart.getStyler().setXAxisMin(Math.floor(log2(inflights.first())));
        chart.getStyler().setXAxisMax(Math.max(Math.ceil(log2(inflights.last())), Math.floor(log2(inflights.first())) + 1));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        for (Map.Entry<String, TreeMap<Integer, Double>> e : engine.entrySet()) {
            addLog2Series(chart, e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Double> e : flat.entrySet()) {
            TreeMap<Integer, Double> line = new TreeMap<>();
            line.put(inflights.first(), e.getValue());
            line.put(inflights.last(), e.getValue());
            XYSeries s = addLog2Series(chart, e.getKey(), line);
            s.setLineStyle(SeriesLines.DOT_DOT);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (!ceiling.isEmpty()) {
            XYSeries s = addLog2Series(chart, "device ceiling at the same depth (device IOPS / reads per lookup)", ceiling);
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.BLACK);
        }
        return chart;
    }

    /**
     * Latency by percentile, the x axis spaced by nines (x = 1 / (1 - p): 90% at 10, 99% at 100,
     * 99.9% at 1000) as HdrHistogram's plots are, so the tail gets the room it needs.
     */
    static XYChart latencyPercentiles(Summary summary, MatrixPoint ref, int threads) {
        XYChart chart = chart(String.format(Locale.ROOT, "Lookup latency by percentile, %d thread(s), L=%d, cache %d, closed loop",
                threads, ref.layers(), ref.cacheLevels()), "percentile", "latency (us, log scale)");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisMin(1.0);
        chart.getStyler().setXAxisMax(MAX_NINES_X);
        chart.setCustomXAxisTickLabelsFormatter(Plots::percentileLabel);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setMarkerSize(0);
        int n = 0;
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || !sameDatabase(p, ref) || p.threads() != threads) {
                continue;
            }
            Histogram h = a.representative().latency();
            if (h.getTotalCount() == 0) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double q = v.getPercentileLevelIteratedTo() / 100;
                if (q >= 1) {
                    break;
                }
                double nines = 1 / (1 - q);
                if (nines > MAX_NINES_X) {
                    break;
                }
                x.add(nines);
                y.add(Math.max(0.1, h.highestEquivalentValue(v.getValueIteratedTo()) / 1e3));
            }
            if (x.size() < 2) {
                continue;
            }
            XYSeries s = chart.addSeries(p.configuration() + (p.mode().engine() ? " " + p.inflight() + " in flight" : ""), x, y);
            s.setMarker(SeriesMarkers.NONE);
            n++;
        }
        return n == 0 ? null : chart;
    }

    /** 1 -> "0%", 10 -> "90%", 100 -> "99%", 1000 -> "99.9%", 10000 -> "99.99%". */
    static String percentileLabel(double nines) {
        double p = 100 * (1 - 1 / nines);
        if (p < 0.5) {
            return "0%";
        }
        String text = String.format(Locale.ROOT, "%.4f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
        return text + "%";
    }

    static XYChart throughputVsThreads(Summary summary, List<PeerRunner.Run> peers, MatrixPoint ref) {
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        TreeMap<Integer, Double> ceiling = new TreeMap<>();
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || !sameDatabase(p, ref)) {
                continue;
            }
            String name = p.mode().engine() ? p.configuration() + " " + p.inflight() + " in flight" : p.configuration();
            series.computeIfAbsent(name, k -> new TreeMap<>()).put(p.threads(), a.throughput());
            double c = summary.ceiling(p);
            if (Double.isFinite(c)) {
                ceiling.merge(p.threads(), c, Math::max);
            }
        }
        if (series.values().stream().allMatch(m -> m.size() < 2)) {
            return null; // one thread count: the in-flight plots say it all
        }
        XYChart chart = chart("BPF-KV lookups/s vs threads (L=" + ref.layers() + ", cache " + ref.cacheLevels()
                + ", closed loop)", "threads", "lookups/s");
        for (Map.Entry<String, TreeMap<Integer, Double>> e : series.entrySet()) {
            addSeries(chart, e.getKey(), e.getValue());
        }
        TreeMap<Integer, Double> peer = new TreeMap<>();
        for (PeerRunner.Run r : peers) {
            if (r.output() != null && r.layers() == ref.layers()) {
                peer.merge(r.threads(), r.output().throughput(), Math::max);
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
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        return chart;
    }

    /**
     * Average latency against layers at 1 thread and 1 in flight, beside XRP's Table 3. The paper's
     * figures are drawn as markers at the depths it gives (1 and 6), no line invented between them,
     * each system a little apart from the others and with its own marker, so read() and io_uring,
     * 0.2-0.5 us apart, both show.
     */
    static XYChart latencyVsLayers(Summary summary) {
        Map<String, TreeMap<Integer, Double>> series = new LinkedHashMap<>();
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (p.openLoop() || p.threads() != 1 || p.inflight() != 1 || p.cacheLevels() != 0) {
                continue;
            }
            series.computeIfAbsent(p.configuration() + " (jxrp, this host)", k -> new TreeMap<>()).put(p.layers(),
                    a.representative().meanMicros());
        }
        XYChart chart = chart("Average lookup latency vs layers, 1 thread, 1 in flight, no cache",
                "index layers (XRP: index depth)", "average latency (us, log scale)");
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setXAxisMin(0.5);
        chart.getStyler().setXAxisMax(6.5);
        for (Map.Entry<String, TreeMap<Integer, Double>> e : series.entrySet()) {
            addSeries(chart, e.getKey(), e.getValue());
        }
        int i = 0;
        for (Map.Entry<String, double[]> e : XRP_TABLE3.entrySet()) {
            double dodge = (i - (XRP_TABLE3.size() - 1) / 2.0) * 0.12;
            double[] v = e.getValue();
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "%s (paper, Optane P5800X): %.1f -> %.1f us", e.getKey(), v[0], v[1]),
                    List.of(1 + dodge, 6 + dodge), List.of(v[0], v[1]));
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(REFERENCE_MARKERS[i % REFERENCE_MARKERS.length]);
            s.setLineColor(REFERENCE[i % REFERENCE.length]);
            s.setMarkerColor(REFERENCE[i % REFERENCE.length]);
            i++;
        }
        return chart;
    }

    /**
     * Open loop: p99 latency against the offered rate, every configuration at the same rates; a rate
     * a configuration could not carry (achieved below 95% of it) is circled in red.
     */
    static XYChart openLoop(Summary summary, MatrixPoint ref, int threads) {
        Map<String, TreeMap<Double, Double>> series = new LinkedHashMap<>();
        List<Double> missedX = new ArrayList<>();
        List<Double> missedY = new ArrayList<>();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Summary.Aggregated a : summary.points()) {
            MatrixPoint p = a.point();
            if (!p.openLoop() || !sameDatabase(p, ref) || p.threads() != threads) {
                continue;
            }
            double p99 = a.representative().percentileMicros(99);
            if (!Double.isFinite(p99)) {
                continue;
            }
            String name = p.configuration() + (p.mode().engine() ? " " + p.inflight() + " in flight" : "");
            series.computeIfAbsent(name, k -> new TreeMap<>()).put(p.targetRate(), Math.max(p99, 1));
            if (a.missedRate()) {
                missedX.add(p.targetRate());
                missedY.add(Math.max(p99, 1));
            }
            min = Math.min(min, Math.max(p99, 1));
            max = Math.max(max, p99);
        }
        if (series.isEmpty()) {
            return null;
        }
        boolean log = max / min > 20;
        XYChart chart = chart(String.format(Locale.ROOT, "Open loop: p99 latency vs offered rate, %d thread(s), L=%d, cache %d",
                threads, ref.layers(), ref.cacheLevels()), "offered lookups/s (the same rates for every configuration)",
                "p99 latency (us" + (log ? ", log scale)" : ")"));
        for (Map.Entry<String, TreeMap<Double, Double>> e : series.entrySet()) {
            chart.addSeries(e.getKey(), new ArrayList<>(e.getValue().keySet()), new ArrayList<>(e.getValue().values()));
        }
        if (!missedX.isEmpty()) {
            XYSeries s = chart.addSeries("missed: achieved < 95% of the offered rate", missedX, missedY);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CROSS);
            s.setMarkerColor(Color.RED);
        }
        // XChart labels only whole decades on a log axis: use one only when the p99s span more than one
        if (log) {
            chart.getStyler().setYAxisLogarithmic(true);
        } else {
            chart.getStyler().setYAxisMin(0.0);
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        return chart;
    }

    private static double log2(int v) {
        return Math.log(v) / Math.log(2);
    }

    private static XYSeries addLog2Series(XYChart chart, String name, TreeMap<Integer, Double> points) {
        List<Double> x = new ArrayList<>();
        for (Integer k : points.keySet()) {
            x.add(log2(k));
        }
        return chart.addSeries(name, x, new ArrayList<>(points.values()));
    }

    private static XYSeries addSeries(XYChart chart, String name, TreeMap<Integer, Double> points) {
        List<Double> x = new ArrayList<>();
        for (Integer k : points.keySet()) {
            x.add(k.doubleValue());
        }
        return chart.addSeries(name, x, new ArrayList<>(points.values()));
    }
}
