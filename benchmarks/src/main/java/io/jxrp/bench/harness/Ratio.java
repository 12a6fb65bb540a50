package io.jxrp.bench.harness;

import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * A ratio of throughputs with its 95% confidence interval, on the log scale where ratios are
 * symmetric. Paired repetitions (the same round of an interleaved run measured both sides, close in
 * time) give the geometric mean of the per-round ratios and a t interval over their logarithms;
 * unpaired ones give the ratio of the geometric means and a Welch interval; a constant reference (a
 * device ceiling) leaves only the measured side's spread. Fewer than two repetitions: no interval.
 *
 * @param value the ratio
 * @param low   lower end of the 95% interval (NaN without one)
 * @param high  upper end
 * @param n     repetitions on the measured side
 */
record Ratio(double value, double low, double high, int n) {
    static final Ratio NONE = new Ratio(Double.NaN, Double.NaN, Double.NaN, 0);
    private static final double LEVEL = 0.95;

    boolean known() {
        return Double.isFinite(value);
    }

    boolean hasInterval() {
        return Double.isFinite(low) && Double.isFinite(high);
    }

    /** {@code a[i] / b[i]} per round. */
    static Ratio paired(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("paired ratios need as many values on each side");
        }
        double[] logs = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            logs[i] = Math.log(a[i]) - Math.log(b[i]);
        }
        double mean = mean(logs);
        if (logs.length < 2) {
            return new Ratio(Math.exp(mean), Double.NaN, Double.NaN, logs.length);
        }
        double half = t(logs.length - 1) * Math.sqrt(variance(logs, mean) / logs.length);
        return of(mean, half, logs.length);
    }

    /** Independent samples: geometric mean of {@code a} over that of {@code b}, Welch's interval. */
    static Ratio unpaired(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            return NONE;
        }
        double[] la = logs(a);
        double[] lb = logs(b);
        double ma = mean(la);
        double mb = mean(lb);
        if (la.length < 2 || lb.length < 2) {
            return lb.length == 1 ? against(a, Math.exp(mb)) : new Ratio(Math.exp(ma - mb), Double.NaN, Double.NaN, la.length);
        }
        double va = variance(la, ma) / la.length;
        double vb = variance(lb, mb) / lb.length;
        double se = Math.sqrt(va + vb);
        double df = se == 0 ? la.length + lb.length - 2
                : (va + vb) * (va + vb) / (va * va / (la.length - 1) + vb * vb / (lb.length - 1));
        return of(ma - mb, t(df) * se, la.length);
    }

    /** {@code a} against a constant reference. */
    static Ratio against(double[] a, double reference) {
        if (a.length == 0 || !(reference > 0)) {
            return NONE;
        }
        double[] la = logs(a);
        double m = mean(la) - Math.log(reference);
        if (la.length < 2) {
            return new Ratio(Math.exp(m), Double.NaN, Double.NaN, la.length);
        }
        return of(m, t(la.length - 1) * Math.sqrt(variance(la, mean(la)) / la.length), la.length);
    }

    private static Ratio of(double logMean, double halfWidth, int n) {
        return new Ratio(Math.exp(logMean), Math.exp(logMean - halfWidth), Math.exp(logMean + halfWidth), n);
    }

    private static double t(double degreesOfFreedom) {
        return new TDistribution(null, Math.max(degreesOfFreedom, 1e-3)).inverseCumulativeProbability(0.5 + LEVEL / 2);
    }

    private static double[] logs(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.log(values[i]);
        }
        return out;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double variance(double[] values, double mean) {
        double sum = 0;
        for (double v : values) {
            sum += (v - mean) * (v - mean);
        }
        return sum / (values.length - 1);
    }

    /** {@code 2.31x [2.20, 2.43]}; {@code 2.31x} without an interval; {@code -} when unknown. */
    String format() {
        if (!known()) {
            return "-";
        }
        return hasInterval() ? String.format(Locale.ROOT, "%.2fx [%.2f, %.2f]", value, low, high)
                : String.format(Locale.ROOT, "%.2fx", value);
    }

    /** As a share of the reference: {@code 78% [74, 82]}. */
    String formatPercent() {
        if (!known()) {
            return "-";
        }
        return hasInterval() ? String.format(Locale.ROOT, "%.0f%% [%.0f, %.0f]", 100 * value, 100 * low, 100 * high)
                : String.format(Locale.ROOT, "%.0f%%", 100 * value);
    }
}
