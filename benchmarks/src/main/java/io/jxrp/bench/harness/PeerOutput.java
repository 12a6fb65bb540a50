package io.jxrp.bench.harness;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the original BPF-KV's {@code get} benchmark printed (its plot scripts parse the same lines):
 * <pre>
 * Average throughput: 12345.678 op/s latency: 80.9 usec
 * 95%   latency: 120.5 us
 * 99%   latency: 150.0 us
 * 99.9% latency: 300.2 us
 * Percentage of requests with latency >= 1ms: 0.010000%
 * </pre>
 * Lines it does not know are ignored; a missing percentile is NaN; the throughput line is required.
 */
record PeerOutput(double throughput, double meanMicros, double p50Micros, double p95Micros, double p99Micros,
                  double p999Micros, double percentAtLeastOneMilli) {
    private static final String NUMBER = "([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";
    private static final Pattern AVERAGE = Pattern.compile(
            "^Average throughput:\\s*" + NUMBER + "\\s*op/s\\s+latency:\\s*" + NUMBER + "\\s*usec", Pattern.MULTILINE);
    private static final Pattern P50 = percentile("50%");
    private static final Pattern P95 = percentile("95%");
    private static final Pattern P99 = percentile("99%");
    private static final Pattern P999 = percentile("99\\.9%");
    private static final Pattern SLOW = Pattern.compile(
            "^Percentage of requests with latency >= 1ms:\\s*" + NUMBER + "\\s*%", Pattern.MULTILINE);

    private static Pattern percentile(String label) {
        return Pattern.compile("^" + label + "\\s+latency:\\s*" + NUMBER + "\\s*us", Pattern.MULTILINE);
    }

    /** @throws IllegalArgumentException when there is no throughput line */
    static PeerOutput parse(String output) {
        Matcher average = AVERAGE.matcher(output);
        if (!average.find()) {
            throw new IllegalArgumentException("no 'Average throughput: <f> op/s latency: <f> usec' line in the peer's output");
        }
        return new PeerOutput(Double.parseDouble(average.group(1)), Double.parseDouble(average.group(2)),
                find(P50, output).orElse(Double.NaN), find(P95, output).orElse(Double.NaN),
                find(P99, output).orElse(Double.NaN), find(P999, output).orElse(Double.NaN),
                find(SLOW, output).orElse(Double.NaN));
    }

    private static OptionalDouble find(Pattern pattern, String output) {
        Matcher m = pattern.matcher(output);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    Map<String, Object> row() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("throughput", throughput);
        row.put("mean_us", meanMicros);
        row.put("p50_us", p50Micros);
        row.put("p95_us", p95Micros);
        row.put("p99_us", p99Micros);
        row.put("p999_us", p999Micros);
        row.put("percent_ge_1ms", percentAtLeastOneMilli);
        return row;
    }
}
