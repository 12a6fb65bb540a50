package io.jxrp.bpfkv.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code --json}: a command prints one JSON object on stdout instead of its text (through Jackson;
 * a non-finite number is null). Errors stay one line on stderr with the exit code.
 */
final class JsonOutput {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    @Option(names = "--json", description = "print one JSON object on stdout instead of text (machine-readable)")
    boolean enabled;

    /** An ordered object to fill: {@code object("key", value, ...)}. */
    static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static void print(Object value) {
        System.out.println(MAPPER.writeValueAsString(finite(value)));
    }

    private static Object finite(Object value) {
        return switch (value) {
            case Double d when !Double.isFinite(d) -> null;
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
