package align4j.text;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Source rewrites, each an identity in jinja2, that make Jinjava parse a template as jinja2 does:
 * <ul>
 *   <li>keyword arguments get parentheses, {@code namespace(i=messages|length - 1)} →
 *       {@code namespace(i=(messages|length - 1))}: Jinjava binds {@code =} tighter than {@code -};</li>
 *   <li>{@code seq[::-1]} → {@code seq|reverse}: Jinjava has no slice step.</li>
 * </ul>
 * Only the insides of {@code {{ }}} and {@code {% %}} change; text and comments are copied as they are.
 */
final class TemplateRewriter {
    private static final Pattern KWARG = Pattern.compile("\\s*[A-Za-z_]\\w*\\s*=(?!=)");

    private TemplateRewriter() {
    }

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length() + 64);
        int i = 0;
        while (i < source.length()) {
            int open = nextOpen(source, i);
            if (open < 0) {
                out.append(source, i, source.length());
                break;
            }
            out.append(source, i, open + 2);
            char kind = source.charAt(open + 1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int end = findClose(source, open + 2, close, kind != '#');
            if (end < 0) {
                out.append(source, open + 2, source.length());
                break;
            }
            String inside = source.substring(open + 2, end);
            out.append(kind == '#' ? inside : rewriteExpression(inside)).append(close);
            i = end + 2;
        }
        return out.toString();
    }

    private static int nextOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private static int findClose(String s, int from, String close, boolean code) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (code && (c == '\'' || c == '"')) {
                i = endOfString(s, i) - 1;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Index just past the string literal that starts at {@code start}. */
    private static int endOfString(String s, int start) {
        char q = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == q) {
                return i + 1;
            }
        }
        return s.length();
    }

    static String rewriteExpression(String e) {
        StringBuilder out = new StringBuilder(e.length() + 16);
        Deque<boolean[]> frames = new ArrayDeque<>(); // {isCall, closeKwarg}
        for (int i = 0; i < e.length(); ) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = endOfString(e, i);
                out.append(e, i, end);
                i = end;
                int next = i;
                while (next < e.length() && Character.isWhitespace(e.charAt(next))) {
                    next++;
                }
                if (next < e.length() && e.charAt(next) == '%') {
                    throw new ChatTemplateException("chat template uses printf-style '%' string formatting (\""
                            + e.strip() + "\"), which align4j cannot render exactly as jinja2 does");
                }
                continue;
            }
            if (e.startsWith("[::-1]", i)) {
                out.append("|reverse");
                i += 6;
                continue;
            }
            switch (c) {
                case '(' -> {
                    boolean call = !out.isEmpty() && (Character.isLetterOrDigit(last(out)) || last(out) == '_');
                    frames.push(new boolean[] {call, false});
                    out.append(c);
                    i = kwarg(e, i + 1, out, frames.peek());
                    continue;
                }
                case '[', '{' -> frames.push(new boolean[] {false, false});
                case ',' -> {
                    if (!frames.isEmpty() && frames.peek()[1]) {
                        out.append(')');
                        frames.peek()[1] = false;
                    }
                    out.append(c);
                    i = frames.isEmpty() ? i + 1 : kwarg(e, i + 1, out, frames.peek());
                    continue;
                }
                case ')', ']', '}' -> {
                    if (!frames.isEmpty()) {
                        if (frames.peek()[1]) {
                            out.append(')');
                        }
                        frames.pop();
                    }
                }
                default -> {
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static char last(StringBuilder sb) {
        return sb.charAt(sb.length() - 1);
    }

    /** At the start of a call argument: copies {@code name=} and opens a parenthesis around the value. */
    private static int kwarg(String e, int at, StringBuilder out, boolean[] frame) {
        if (!frame[0]) {
            return at;
        }
        Matcher m = KWARG.matcher(e).region(at, e.length());
        if (!m.lookingAt()) {
            return at;
        }
        out.append(m.group()).append('(');
        frame[1] = true;
        return m.end();
    }
}
