package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvJsonTest {

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void csvKeepsColumnOrderAndQuotesWhatNeedsIt() {
        String csv = Csv.format(List.of(
                row("mode", "uring", "backend", "uring (forced, \"fast\")", "throughput", 1234.5, "count", 7L),
                row("mode", "pread", "backend", "a\nb", "throughput", Double.NaN, "count", 0)));
        assertEquals("mode,backend,throughput,count\r\n"
                + "uring,\"uring (forced, \"\"fast\"\")\",1234.5000,7\r\n"
                + "pread,\"a\nb\",,0\r\n", csv);
    }

    @Test
    void csvOfNoRowsIsEmpty() {
        assertEquals("", Csv.format(List.of()));
    }

    @Test
    void csvNumbersUseADotWhateverTheLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("0.2500", Csv.field(0.25));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void jsonEscapesAndNests() {
        Map<String, Object> m = row("name", "a\"b\\c\n\t\u0001", "n", 3, "x", 0.125, "nan", Double.NaN,
                "inf", Double.POSITIVE_INFINITY, "ok", true, "none", null, "list", List.of(1, "two"), "empty", Map.of());
        String json = Json.write(m);
        assertTrue(json.contains("\"name\": \"a\\\"b\\\\c\\n\\t\\u0001\""), json);
        assertTrue(json.contains("\"n\": 3"), json);
        assertTrue(json.contains("\"x\": 0.125"), json);
        assertTrue(json.contains("\"nan\": null"), json);
        assertTrue(json.contains("\"inf\": null"), json);
        assertTrue(json.contains("\"ok\": true"), json);
        assertTrue(json.contains("\"none\": null"), json);
        assertTrue(json.contains("\"list\": [\n    1,\n    \"two\"\n  ]"), json);
        assertTrue(json.contains("\"empty\": {}"), json);
        assertTrue(json.startsWith("{\n") && json.endsWith("}\n"), json);
    }

    @Test
    void jsonNumbersAreValidJsonNumbers() {
        assertEquals("12345.68\n", Json.write(12345.678));
        assertEquals("2\n", Json.write(2.0));
        assertEquals("1.5E-7\n", Json.write(1.5e-7));
        assertEquals("-0.5\n", Json.write(-0.5));
    }
}
