package io.jxrp.bench.harness;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal JSON writer for the harness's results: maps (insertion order kept), lists, strings,
 * numbers, booleans and null. Non-finite numbers become {@code null} (JSON has no NaN).
 */
final class Json {
    /** Enough digits for any measurement here; keeps the files readable. */
    private static final MathContext SIGNIFICANT = new MathContext(7);

    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int indent) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(out, s);
            case Boolean b -> out.append(b);
            case Double d -> number(out, d);
            case Float f -> number(out, f.doubleValue());
            case Number n -> out.append(n.longValue());
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, indent + 1);
                    quote(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent + 1);
                }
                out.append('\n');
                indent(out, indent);
                out.append('}');
            }
            case List<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                boolean first = true;
                for (Object item : list) {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    indent(out, indent + 1);
                    write(out, item, indent + 1);
                }
                out.append('\n');
                indent(out, indent);
                out.append(']');
            }
            case Enum<?> e -> quote(out, e.toString());
            default -> quote(out, value.toString());
        }
    }

    private static void number(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            out.append("null");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            BigDecimal rounded = new BigDecimal(d).round(SIGNIFICANT).stripTrailingZeros();
            out.append(Math.abs(d) >= 1e-4 ? rounded.toPlainString() : rounded.toString());
        }
    }

    private static void indent(StringBuilder out, int level) {
        out.append("  ".repeat(level));
    }

    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
