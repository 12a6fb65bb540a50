package io.jxrp.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class CsvJsonTest {
    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void csvKeepsColumnOrderQuotesWhatNeedsItAndReadsBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.csv");
        Csv.write(file, List.of(
                row("mode", "uring", "backend", "uring (forced, \"fast\")", "throughput", 1234.5, "count", 7L),
                row("mode", "pread", "backend", "a\nb", "throughput", Double.NaN, "count", 0)));
        assertEquals("mode,backend,throughput,count\r\n"
                + "uring,\"uring (forced, \"\"fast\"\")\",1234.5,7\r\n"
                + "pread,\"a\nb\",,0\r\n", Files.readString(file));
        List<Map<String, String>> back = Csv.read(file);
        assertEquals("uring (forced, \"fast\")", back.get(0).get("backend"));
        assertEquals("a\nb", back.get(1).get("backend"));
        assertEquals("", back.get(1).get("throughput"));
    }

    @Test
    void anAppenderPutsEachRowOnDiskAsItComes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("points.csv");
        try (Csv.Appender out = Csv.Appender.create(file, List.of("a", "b"))) {
            out.append(row("a", 1, "b", 2.5));
            assertEquals("a,b\r\n1,2.5\r\n", Files.readString(file), "readable before the next row or close");
            out.append(row("a", 3));
            assertEquals("a,b\r\n1,2.5\r\n3,\r\n", Files.readString(file));
        }
    }

    @Test
    void csvNumbersUseADotWhateverTheLocaleAndSevenDigits() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("0.25", Csv.field(0.25));
            assertEquals("12345.68", Csv.field(12345.678));
            assertEquals("1.5E-7", Csv.field(1.5e-7));
            assertEquals("2", Csv.field(2.0));
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @Test
    void jsonIsTypedNestedAndHasNoNaN() throws IOException {
        Map<String, Object> m = row("name", "a\"b\\c\n\t\u0001", "n", 3, "x", 0.125, "nan", Double.NaN,
                "inf", Double.POSITIVE_INFINITY, "ok", true, "none", null, "list", List.of(1, "two"), "empty", Map.of(),
                "nested", row("deep", Double.NEGATIVE_INFINITY));
        String json = Json.write(m);
        JsonNode back = Json.parse(json);
        assertEquals("a\"b\\c\n\t\u0001", back.get("name").asString());
        assertTrue(back.get("n").isInt(), json);
        assertEquals(0.125, back.get("x").asDouble());
        assertTrue(back.get("nan").isNull() && back.get("inf").isNull() && back.get("none").isNull(), json);
        assertTrue(back.get("ok").isBoolean(), json);
        assertEquals(2, back.get("list").size());
        assertTrue(back.get("empty").isObject() && back.get("empty").isEmpty(), json);
        assertTrue(back.get("nested").get("deep").isNull(), json);
        assertTrue(json.startsWith("{") && json.endsWith("}\n"), json);
    }

    @Test
    void badJsonIsAnIOExceptionNamingTheProblem() {
        assertThrows(IOException.class, () -> Json.parse("{\"a\": "));
    }
}
