package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness's JSON through Jackson: maps (insertion order kept), lists, strings, numbers and
 * booleans. JSON has no NaN or infinity, so a non-finite number is written as {@code null}.
 */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(finite(value)) + "\n";
    }

    static void write(Path file, Object value) throws IOException {
        Files.writeString(file, write(value), StandardCharsets.UTF_8);
    }

    static JsonNode read(Path file) throws IOException {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode parse(String text) throws IOException {
        try {
            return MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The same tree with every NaN or infinite number replaced by null. */
    private static Object finite(Object value) {
        return switch (value) {
            case Double d when !Double.isFinite(d) -> null;
            case Float f when !Float.isFinite(f) -> null;
            case Map<?, ?> map -> {
                Map<Object, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(k, finite(v)));
                yield copy;
            }
            case List<?> list -> {
                List<Object> copy = new ArrayList<>(list.size());
                list.forEach(v -> copy.add(finite(v)));
                yield copy;
            }
            case null, default -> value;
        };
    }
}
