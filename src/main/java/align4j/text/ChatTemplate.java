package align4j.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.mode.ExecutionMode;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template, rendered as {@code transformers.apply_chat_template(..., tokenize=False)} renders
 * it: jinja2 with trim_blocks, lstrip_blocks, loop controls, {@code raise_exception}, {@code strftime_now} and a
 * {@code tojson} filter that is {@code json.dumps(x, ensure_ascii=False)}. Jinjava does the parsing; the adapters
 * here make its output Python's (checked against jinja2 set up as transformers sets it up,
 * {@code scripts/chat_template_reference.py}): Python {@code str} methods, Python printing of
 * booleans/None/floats/containers, and errors instead of output whenever a template raises or uses something
 * we cannot render the way jinja2 would.
 */
public final class ChatTemplate {
    /** Constructs whose jinja2 meaning Jinjava does not reproduce; we refuse them instead of rendering differently. */
    private static final List<Unsupported> UNSUPPORTED = List.of(
            new Unsupported(Pattern.compile("\\{%-?\\s*(macro|call|filter|include|import|from|extends|block)\\b"),
                    "macros, includes and template inheritance"),
            new Unsupported(Pattern.compile("\\{%-?\\s*for\\s((?!%}).)*\\sin\\s((?!%}|\\selse\\s).)*\\sif\\s((?!%}|\\selse\\s).)*%}"),
                    "a filtered for loop, whose loop.index, loop.length and loop.last Jinjava counts before filtering"));

    private record Unsupported(Pattern pattern, String what) {
    }

    /** Jinjava drops null variables, so the names the caller set to None travel under this name. */
    private static final String NONE_NAMES = "__align4j_none_names__";

    private final String source;
    private final Jinjava jinjava;

    public ChatTemplate(String source) {
        for (Unsupported u : UNSUPPORTED) {
            var m = u.pattern().matcher(source);
            if (m.find()) {
                throw new ChatTemplateException("chat template uses " + u.what() + " (\"" + m.group().strip()
                        + "\"), which align4j cannot render exactly as jinja2 does");
            }
        }
        // jinja2's keep_trailing_newline=False drops one trailing newline of the source (not of the output).
        this.source = TemplateRewriter.rewrite(source.endsWith("\n") ? source.substring(0, source.length() - 1) : source);
        this.jinjava = newJinjava();
    }

    public String source() {
        return source;
    }

    /**
     * Renders a conversation. {@code messages} are lists/maps/strings/numbers/booleans/null as JSON gives them;
     * {@code variables} are the extra names transformers passes (bos_token, eos_token, … and template kwargs).
     */
    public String render(List<?> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("tools", null);
        context.put("documents", null);
        context.putAll(variables);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        java.util.Set<String> noneNames = new java.util.HashSet<>();
        context.forEach((k, v) -> {
            if (v == null) {
                noneNames.add(k);
            }
        });
        context.put(NONE_NAMES, noneNames);
        RenderResult result;
        try {
            result = jinjava.renderForResult(source, context);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template failed: " + e.getMessage(), e);
        }
        for (TemplateError error : result.getErrors()) {
            ChatTemplateException raised = causeOf(error.getException());
            if (raised != null) {
                throw raised;
            }
        }
        if (!result.getErrors().isEmpty()) {
            TemplateError e = result.getErrors().getFirst();
            throw new ChatTemplateException("chat template error at line " + e.getLineno() + ": " + e.getMessage(),
                    e.getException());
        }
        return result.getOutput();
    }

    private static ChatTemplateException causeOf(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof ChatTemplateException c) {
                return c;
            }
        }
        return null;
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withHandleBackslashInQuotesOnly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .withExecutionMode(new ExecutionMode() {
                    @Override
                    public void prepareContext(Context context) {
                        context.setExpressionStrategy(ChatTemplate::printPython);
                    }
                })
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", String.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        jinjava.registerFilter(new ToJson());
        return jinjava;
    }

    /** {{ expr }} prints Python's str(value): True/False, None, 2.0, ['a', 1]. */
    private static RenderedOutputNode printPython(ExpressionToken token, JinjavaInterpreter interpreter) {
        Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
        if (value instanceof SafeString s) {
            return new RenderedOutputNode(s.toString());
        }
        if (value == null) {
            return new RenderedOutputNode(printNull(token.getExpr().strip(), interpreter));
        }
        return new RenderedOutputNode(PythonValues.str(value));
    }

    private static final Pattern PATH = Pattern.compile(
            "[A-Za-z_]\\w*(?:\\.[A-Za-z_]\\w*|\\[\\s*'[^']*'\\s*]|\\[\\s*\"[^\"]*\"\\s*]|\\[\\s*-?\\d+\\s*])*");
    private static final Pattern SEGMENT = Pattern.compile(
            "\\.([A-Za-z_]\\w*)|\\[\\s*['\"]([^'\"]*)['\"]\\s*]|\\[\\s*(-?\\d+)\\s*]");

    /**
     * jinja2 prints None as "None" but an undefined name as "". Jinjava has one null for both, so for a plain
     * name or key path we look the keys up ourselves; any other expression that yields null is refused.
     */
    private static String printNull(String expr, JinjavaInterpreter interpreter) {
        if (!interpreter.getErrors().isEmpty()) {
            return ""; // e.g. raise_exception(...) yields null; render() reports the recorded error
        }
        if (!PATH.matcher(expr).matches()) {
            throw new ChatTemplateException("chat template prints {{ " + expr + " }}, which is None or undefined here;"
                    + " align4j cannot tell which, and jinja2 prints them differently");
        }
        int dot = 0;
        while (dot < expr.length() && (Character.isLetterOrDigit(expr.charAt(dot)) || expr.charAt(dot) == '_')) {
            dot++;
        }
        String root = expr.substring(0, dot);
        if (!interpreter.getContext().containsKey(root)) {
            return interpreter.getContext().get(NONE_NAMES) instanceof java.util.Set<?> none && none.contains(root)
                    && dot == expr.length() ? "None" : "";
        }
        Object current = interpreter.getContext().get(root);
        var m = SEGMENT.matcher(expr.substring(dot));
        while (m.find()) {
            if (m.group(3) != null) {
                int index = Integer.parseInt(m.group(3));
                if (!(current instanceof List<?> list) || index >= list.size() || index < -list.size()) {
                    return "";
                }
                current = list.get(index < 0 ? list.size() + index : index);
                continue;
            }
            String key = m.group(1) != null ? m.group(1) : m.group(2);
            if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return "";
            }
            current = map.get(key);
        }
        return "None";
    }

    /** transformers' raise_exception: the template's own error, reported to the user. */
    public static Object raiseException(String message) {
        throw new ChatTemplateException(message);
    }

    /** transformers' strftime_now: datetime.now().strftime(format), for the directives templates use. */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            sb.append(switch (d) {
                case 'Y' -> String.valueOf(now.getYear());
                case 'y' -> String.format("%02d", now.getYear() % 100);
                case 'm' -> String.format("%02d", now.getMonthValue());
                case 'd' -> String.format("%02d", now.getDayOfMonth());
                case 'B' -> now.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b' -> now.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> now.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'H' -> String.format("%02d", now.getHour());
                case 'I' -> String.format("%02d", (now.getHour() + 11) % 12 + 1);
                case 'p' -> now.getHour() < 12 ? "AM" : "PM";
                case 'M' -> String.format("%02d", now.getMinute());
                case 'S' -> String.format("%02d", now.getSecond());
                case 'j' -> String.format("%03d", now.getDayOfYear());
                case '%' -> "%";
                default -> throw new ChatTemplateException("strftime_now: unsupported directive %" + d);
            });
        }
        return sb.toString();
    }

    /** transformers' tojson: json.dumps(x, ensure_ascii=False, indent=indent). */
    private static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
            for (String k : kwargs.keySet()) {
                if (!k.equals("indent")) {
                    throw new ChatTemplateException("tojson: unsupported argument " + k);
                }
            }
            Integer n = indent == null ? null : Integer.valueOf(indent.toString());
            return new SafeString(PythonValues.json(var instanceof SafeString s ? s.toString() : var, n));
        }
    }
}
