package align4j.text;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's text forms of template values, so that Jinjava output matches jinja2's: {@code str()} for
 * {@code {{ x }}}, {@code repr()} inside containers, and {@code json.dumps(x, ensure_ascii=False)} for the
 * {@code tojson} filter that transformers registers.
 */
final class PythonValues {
    private PythonValues() {
    }

    /** Python's {@code str(value)}; {@code null} is Python's None. */
    static String str(Object value) {
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        return repr(value);
    }

    /** Python's {@code repr(value)} for the types JSON and templates produce. */
    static String repr(Object value) {
        return switch (value) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case CharSequence s -> reprString(s.toString());
            case Double d -> reprFloat(d);
            case Float f -> reprFloat(f.doubleValue());
            case Number n -> n.toString();
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                String sep = "";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(sep).append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    sep = ", ";
                }
                yield sb.append('}').toString();
            }
            case Collection<?> c -> {
                StringBuilder sb = new StringBuilder("[");
                String sep = "";
                for (Object o : c) {
                    sb.append(sep).append(repr(o));
                    sep = ", ";
                }
                yield sb.append(']').toString();
            }
            default -> throw new ChatTemplateException("cannot print a value of Java type " + value.getClass().getName()
                    + " the way Python would");
        };
    }

    /** float.__repr__: the shortest digits that round-trip (as Double.toString), positional for 1e-4 ≤ |x| < 1e16. */
    static String reprFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d));
        double abs = Math.abs(d);
        if (abs >= 1e-4 && abs < 1e16) {
            String s = shortest.toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        BigDecimal unscaled = shortest.stripTrailingZeros();
        int exponent = unscaled.precision() - unscaled.scale() - 1;
        String digits = unscaled.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    /** str.__repr__: single quotes unless the text holds ' and no ". */
    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (cp == quote) {
                        sb.append('\\').append((char) cp);
                    } else if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append(quote).toString();
    }

    /** json.dumps(value, ensure_ascii=False, indent=indent) with Python's default separators. */
    static String json(Object value, Integer indent) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, value, indent, 0);
        return sb.toString();
    }

    private static void writeJson(StringBuilder sb, Object value, Integer indent, int level) {
        switch (value) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case CharSequence s -> jsonString(sb, s.toString());
            case Double d -> sb.append(jsonFloat(d));
            case Float f -> sb.append(jsonFloat(f.doubleValue()));
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    newline(sb, indent, level + 1);
                    jsonString(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    writeJson(sb, e.getValue(), indent, level + 1);
                    if (it.hasNext()) {
                        sb.append(indent == null ? ", " : ",");
                    }
                }
                newline(sb, indent, level);
                sb.append('}');
            }
            case Collection<?> c -> {
                if (c.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                Iterator<?> it = c.iterator();
                while (it.hasNext()) {
                    newline(sb, indent, level + 1);
                    writeJson(sb, it.next(), indent, level + 1);
                    if (it.hasNext()) {
                        sb.append(indent == null ? ", " : ",");
                    }
                }
                newline(sb, indent, level);
                sb.append(']');
            }
            default -> throw new ChatTemplateException("tojson: cannot serialize Java type " + value.getClass().getName());
        }
    }

    private static String jsonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return reprFloat(d);
    }

    private static void newline(StringBuilder sb, Integer indent, int level) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    /** json.encoder.py_encode_basestring: escapes ", \, and control characters only (ensure_ascii=False). */
    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
