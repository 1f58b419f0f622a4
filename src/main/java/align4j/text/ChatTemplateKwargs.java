package align4j.text;

import align4j.InputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extra keyword arguments for the chat template, what {@code apply_chat_template(..., **kwargs)} passes and TRL
 * calls {@code chat_template_kwargs}: e.g. Qwen3's {@code enable_thinking=false}. Written on the command line as
 * {@code NAME=VALUE[,NAME=VALUE...]}; a value is read as Python would write it: {@code true}/{@code True} and
 * {@code false}/{@code False} are booleans, {@code none}/{@code None}/{@code null} is None, an integer or decimal is a
 * number, anything else is a string. Unset names stay undefined, so each template's own default holds
 * (Qwen3 thinks unless {@code enable_thinking} is false, as in transformers).
 */
public final class ChatTemplateKwargs {
    private ChatTemplateKwargs() {
    }

    /** Parses {@code NAME=VALUE[,NAME=VALUE...]}; null or blank gives no kwargs. */
    public static Map<String, Object> parse(String spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String item : spec.split(",")) {
            int eq = item.indexOf('=');
            String name = eq < 0 ? "" : item.substring(0, eq).strip();
            if (!name.matches("[A-Za-z_]\\w*")) {
                throw new InputException("--chat-template-kwargs: expected NAME=VALUE[,NAME=VALUE...] "
                        + "(e.g. enable_thinking=false), got '" + item.strip() + "'");
            }
            if (name.equals("messages") || name.equals("add_generation_prompt")) {
                throw new InputException("--chat-template-kwargs: '" + name + "' is set by align4j, not a keyword argument");
            }
            out.put(name, value(item.substring(eq + 1).strip()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object value(String v) {
        return switch (v) {
            case "true", "True" -> Boolean.TRUE;
            case "false", "False" -> Boolean.FALSE;
            case "none", "None", "null" -> null;
            default -> {
                if (v.matches("-?\\d{1,18}")) {
                    yield Long.parseLong(v);
                }
                if (v.matches("-?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?")) {
                    yield Double.parseDouble(v);
                }
                yield v;
            }
        };
    }
}
