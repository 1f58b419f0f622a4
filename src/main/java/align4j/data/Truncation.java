package align4j.data;

import align4j.InputException;
import java.util.Arrays;

/**
 * TRL's {@code max_length} / {@code max_prompt_length} / {@code truncation_mode} applied to one example whose
 * chosen and rejected share one prompt (so both keep the same prompt tokens).
 * <ul>
 *   <li>{@code max_prompt_length}: the prompt keeps its first (keep_start) or last (keep_end) tokens;</li>
 *   <li>{@code max_length}, keep_start: completions are cut to {@code max_length - |prompt|}; a prompt of
 *       {@code max_length} tokens or more leaves no completion and the example is dropped (as TRL drops it);</li>
 *   <li>{@code max_length}, keep_end: the prompt loses its first tokens so that prompt + the longer completion
 *       fit; when the longer completion alone fills {@code max_length}, no prompt token would be left to condition
 *       on, and the example is dropped.</li>
 * </ul>
 * Zero means no limit.
 */
public record Truncation(int maxLength, int maxPromptLength, Mode mode) {
    public static final Truncation NONE = new Truncation(0, 0, Mode.KEEP_START);

    public enum Mode {
        KEEP_START, KEEP_END;

        public static Mode parse(String s) {
            return switch (s) {
                case "keep_start" -> KEEP_START;
                case "keep_end" -> KEEP_END;
                default -> throw new InputException("--truncation-mode: expected keep_start or keep_end, got \"" + s + "\"");
            };
        }
    }

    public Truncation {
        if (maxLength < 0 || maxPromptLength < 0) {
            throw new InputException("--max-length and --max-prompt-length must be positive (0 = no limit)");
        }
    }

    /** The truncated example, or null when it cannot fit. */
    public PreferenceExample apply(PreferenceExample e) {
        int[] prompt = e.prompt();
        if (maxPromptLength > 0 && prompt.length > maxPromptLength) {
            prompt = mode == Mode.KEEP_START ? Arrays.copyOf(prompt, maxPromptLength)
                    : Arrays.copyOfRange(prompt, prompt.length - maxPromptLength, prompt.length);
        }
        int[] chosen = e.chosen();
        int[] rejected = e.rejected();
        if (maxLength > 0) {
            if (mode == Mode.KEEP_START) {
                if (prompt.length >= maxLength) {
                    return null;
                }
                int room = maxLength - prompt.length;
                chosen = chosen.length > room ? Arrays.copyOf(chosen, room) : chosen;
                rejected = rejected.length > room ? Arrays.copyOf(rejected, room) : rejected;
            } else {
                int longer = Math.max(chosen.length, rejected.length);
                if (longer >= maxLength) {
                    return null;
                }
                int room = maxLength - longer;
                prompt = prompt.length > room ? Arrays.copyOfRange(prompt, prompt.length - room, prompt.length) : prompt;
            }
        }
        if (prompt == e.prompt() && chosen == e.chosen() && rejected == e.rejected()) {
            return e;
        }
        return new PreferenceExample(e.source(), prompt, chosen, rejected, e.record());
    }
}
