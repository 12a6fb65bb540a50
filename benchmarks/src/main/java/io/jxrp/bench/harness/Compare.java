package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code harness compare A B}: two results directories side by side. Every point measured in both
 * (same mode, functions, layers, threads, in flight, cache, loop and offered rate) with each side's
 * throughput over its repetitions, B over A with a 95% interval (Welch's, on the logarithms: the two
 * runs are independent), and the median p99 of each; then the points only one side has, and the
 * environment facts (manifest.json) that differ.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        header = "Puts two results directories side by side.",
        description = {"Per point measured in both: each side's throughput over its repetitions, B/A with a 95%% confidence",
                "interval, and the p99 latencies; then the points only one side has, and how the environments differ."})
final class Compare implements Callable<Integer> {
    private static final List<String> KEY = List.of("mode", "function", "layers", "threads", "inflight", "cache_levels", "loop",
            "target_rate");

    @Parameters(index = "0", paramLabel = "A", description = "the first results directory (the baseline)")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "the second results directory")
    Path b;

    @Option(names = "--out", paramLabel = "FILE", description = "also write the comparison (Markdown) to FILE")
    Path out;

    @Override
    public Integer call() throws IOException {
        String text = compare(a, b);
        System.out.print(text);
        if (out != null) {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** The comparison as Markdown. */
    static String compare(Path a, Path b) throws IOException {
        Map<String, List<Map<String, String>>> left = points(a);
        Map<String, List<Map<String, String>>> right = points(b);
        StringBuilder md = new StringBuilder("# jxrp results compared\n\nA: `" + a + "`\nB: `" + b + "`\n\n");
        md.append("| point | A lookups/s | B lookups/s | B / A [95% CI] | A p99 us | B p99 us | B / A p99 |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        List<String> onlyA = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, String>>> e : left.entrySet()) {
            List<Map<String, String>> other = right.get(e.getKey());
            if (other == null) {
                onlyA.add(e.getKey());
                continue;
            }
            double[] x = column(e.getValue(), "throughput");
            double[] y = column(other, "throughput");
            double p99a = median(column(e.getValue(), "p99_us"));
            double p99b = median(column(other, "p99_us"));
            md.append(String.format(Locale.ROOT, "| %s | %.0f (n=%d) | %.0f (n=%d) | %s | %.1f | %.1f | %s |%n", e.getKey(),
                    median(x), x.length, median(y), y.length, Ratio.unpaired(y, x).format(), p99a, p99b,
                    Double.isFinite(p99a) && p99a > 0 ? String.format(Locale.ROOT, "%.2fx", p99b / p99a) : "-"));
        }
        List<String> onlyB = right.keySet().stream().filter(k -> !left.containsKey(k)).toList();
        if (!onlyA.isEmpty() || !onlyB.isEmpty()) {
            md.append("\n## Points one side does not have\n\n");
            onlyA.forEach(k -> md.append("- only in A: ").append(k).append('\n'));
            onlyB.forEach(k -> md.append("- only in B: ").append(k).append('\n'));
        }
        List<String> differences = manifestDifferences(a, b);
        md.append("\n## Environment differences (manifest.json)\n\n");
        if (differences.isEmpty()) {
            md.append("none\n");
        } else {
            differences.forEach(d -> md.append("- ").append(d).append('\n'));
        }
        return md.toString();
    }

    /** points.csv grouped by point (every repetition), in file order. */
    private static Map<String, List<Map<String, String>>> points(Path dir) throws IOException {
        Path file = dir.resolve("points.csv");
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " holds no points.csv: not a harness results directory");
        }
        Map<String, List<Map<String, String>>> byPoint = new LinkedHashMap<>();
        for (Map<String, String> row : Csv.read(file)) {
            byPoint.computeIfAbsent(label(row), k -> new ArrayList<>()).add(row);
        }
        return byPoint;
    }

    private static String label(Map<String, String> row) {
        StringBuilder s = new StringBuilder(row.get("mode"));
        if (!"-".equals(row.get("function"))) {
            s.append('/').append(row.get("function"));
        }
        s.append(" T").append(row.get("threads")).append(" I").append(row.get("inflight")).append(" L").append(row.get("layers"))
                .append(" C").append(row.get("cache_levels"));
        if ("open".equals(row.get("loop"))) {
            s.append(" @").append(row.get("target_rate")).append("/s");
        }
        return s.toString();
    }

    private static double[] column(List<Map<String, String>> rows, String name) {
        return rows.stream().map(r -> r.get(name)).filter(v -> v != null && !v.isEmpty()).mapToDouble(Double::parseDouble).toArray();
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    private static List<String> manifestDifferences(Path a, Path b) throws IOException {
        Path fa = a.resolve("manifest.json");
        Path fb = b.resolve("manifest.json");
        if (!Files.isRegularFile(fa) || !Files.isRegularFile(fb)) {
            return List.of("a manifest.json is missing");
        }
        JsonNode ma = Json.read(fa);
        JsonNode mb = Json.read(fb);
        List<String> out = new ArrayList<>();
        List<String> names = new ArrayList<>(ma.propertyNames());
        mb.propertyNames().stream().filter(n -> !names.contains(n)).forEach(names::add);
        for (String name : names) {
            if (name.startsWith("load_average") || name.equals("notes")) {
                continue; // differs every run
            }
            JsonNode va = ma.get(name);
            JsonNode vb = mb.get(name);
            if (!Objects.equals(va, vb)) {
                out.add(String.format("%s: A %s, B %s", name, va, vb));
            }
        }
        return out;
    }
}
