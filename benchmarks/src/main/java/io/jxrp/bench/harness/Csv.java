package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RFC 4180 CSV from rows of named columns: the header is the first row's keys, in order; a
 * field with a comma, quote or line break is quoted. Numbers print with {@link Locale#ROOT}
 * (a dot, never a comma); non-finite numbers print empty.
 */
final class Csv {
    private Csv() {
    }

    static String format(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return "";
        }
        List<String> header = new ArrayList<>(rows.get(0).keySet());
        StringBuilder out = new StringBuilder();
        line(out, new ArrayList<>(header));
        for (Map<String, Object> row : rows) {
            List<Object> fields = new ArrayList<>(header.size());
            for (String column : header) {
                fields.add(row.get(column));
            }
            line(out, fields);
        }
        return out.toString();
    }

    static void write(Path file, List<Map<String, Object>> rows) throws IOException {
        Files.writeString(file, format(rows), StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder out, List<?> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields.get(i)));
        }
        out.append("\r\n");
    }

    static String field(Object value) {
        String text = switch (value) {
            case null -> "";
            case Double d -> Double.isFinite(d) ? number(d) : "";
            case Float f -> Float.isFinite(f) ? number(f) : "";
            default -> value.toString();
        };
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.4f", d);
    }
}
