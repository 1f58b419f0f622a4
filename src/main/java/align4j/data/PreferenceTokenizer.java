package align4j.data;

import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenizes preference pairs as TRL's DPOTrainer (main branch, {@code _prepare_dataset}) does:
 * <ul>
 *   <li>text: EOS text appended to each completion that does not already end with it; prompt and
 *       prompt+completion tokenized jointly with {@code add_special_tokens=True};</li>
 *   <li>conversations: the chat template renders the prompt with {@code add_generation_prompt=True} and the
 *       whole conversation without; for a pair the prompt is their common prefix, as in TRL's
 *       {@code maybe_apply_chat_template}; both are tokenized without special tokens (the template has them);</li>
 *   <li>completion ids = the joint ids after the prompt's ids.</li>
 * </ul>
 * When the joint ids do not start with the prompt's ids (a merge across the boundary), TRL logs a warning and
 * slices anyway, which shifts the completion. Here such a completion is counted ({@link #mismatches()}) and
 * tokenized on its own instead: the prompt ids stay exactly the prompt's, the completion ids are those of the
 * completion text (for conversations, the rendered text after the rendered prompt), so every scored token is
 * the completion's. A second BOS (text that begins with the BOS string, plus the post-processor's BOS) is
 * removed.
 */
public final class PreferenceTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;
    private int mismatches;

    public PreferenceTokenizer(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Completions (chosen or rejected) whose joint tokenization did not start with the prompt's ids. */
    public int mismatches() {
        return mismatches;
    }

    public PreferenceExample tokenize(PreferencePair p) {
        if (p.conversational()) {
            refuseTools(p.source(), p.record());
            List<?> prompt = JSON.convertValue(p.prompt(), List.class);
            String chosenText = whole(prompt, p.chosen()), rejectedText = whole(prompt, p.rejected());
            // TRL's maybe_apply_chat_template: the prompt is the common prefix of the prompt rendered with the generation
            // prompt and each whole conversation in turn, and a completion is what follows the prompt as it stood then.
            // A no-op unless the template renders the prompt differently (Qwen3 with enable_thinking=false before a
            // completion with its own <think> block).
            String afterChosen = commonPrefix(tokenizer.applyChatTemplate(prompt, true), chosenText);
            String promptText = commonPrefix(afterChosen, rejectedText);
            int[] promptIds = tokenizer.encode(promptText, false);
            return new PreferenceExample(p.source(), promptIds,
                    completion(promptText, promptIds, chosenText.substring(afterChosen.length())),
                    completion(promptText, promptIds, rejectedText.substring(promptText.length())), p.record());
        }
        String prompt = p.prompt().asText();
        int[] promptIds = encodeWithSpecials(prompt);
        return new PreferenceExample(p.source(), promptIds, text(prompt, promptIds, p.chosen().asText()),
                text(prompt, promptIds, p.rejected().asText()), p.record());
    }

    /**
     * One prompt and completion (TRL's prompt-completion format, as SFT and reward scoring read it), tokenized
     * exactly as a preference pair's chosen side: returns {promptIds, completionIds}.
     */
    public int[][] tokenize(String source, JsonNode prompt, JsonNode completion, boolean conversational) {
        if (conversational) {
            List<?> p = JSON.convertValue(prompt, List.class);
            String promptText = tokenizer.applyChatTemplate(p, true);
            int[] promptIds = tokenizer.encode(promptText, false);
            return new int[][] {promptIds, conversation(source, p, promptText, promptIds, completion, "completion")};
        }
        int[] promptIds = encodeWithSpecials(prompt.asText());
        return new int[][] {promptIds, text(prompt.asText(), promptIds, completion.asText())};
    }

    /**
     * A prompt's ids as {@link #tokenize} makes them: a conversational prompt (a list of messages) through
     * the chat template with add_generation_prompt, then encoded as is; a text prompt with the special
     * tokens (BOS) added once. Generation uses this so that it prompts exactly as training did.
     */
    public int[] promptIds(JsonNode prompt) {
        if (prompt.isArray()) {
            return tokenizer.encode(tokenizer.applyChatTemplate(JSON.convertValue(prompt, List.class), true), false);
        }
        return encodeWithSpecials(prompt.asText());
    }

    /**
     * TRL passes a record's {@code tools} column to the chat template (Qwen3 then writes a tool system prompt);
     * align4j does not render tool definitions, so such a record is refused rather than rendered without them.
     */
    static void refuseTools(String source, JsonNode record) {
        if (record != null && record.hasNonNull("tools")) {
            throw new DatasetException(RecordLocation.parse(source), "tools", "tool definitions for the chat template are"
                    + " not supported; drop the \"tools\" column (messages with tool_calls and tool results are rendered)");
        }
    }

    private int[] text(String prompt, int[] promptIds, String completion) {
        String eos = tokenizer.eosToken();
        String withEos = eos == null || completion.endsWith(eos) ? completion : completion + eos;
        int[] joint = encodeWithSpecials(prompt + withEos);
        if (startsWith(joint, promptIds)) {
            return Arrays.copyOfRange(joint, promptIds.length, joint.length);
        }
        mismatches++;
        return tokenizer.encode(withEos, false);
    }

    private String whole(List<?> prompt, JsonNode completion) {
        List<Object> all = new java.util.ArrayList<>(prompt);
        all.addAll(JSON.convertValue(completion, List.class));
        return tokenizer.applyChatTemplate(all, false);
    }

    private static String commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) n++;
        if (n > 0 && Character.isHighSurrogate(a.charAt(n - 1))) n--; // Python compares code points
        return a.substring(0, n);
    }

    /** A rendered completion's ids: those after the prompt's in the joint ids, or (a merge across the boundary) its own. */
    private int[] completion(String promptText, int[] promptIds, String completionText) {
        int[] joint = tokenizer.encode(promptText + completionText, false);
        if (startsWith(joint, promptIds)) {
            return Arrays.copyOfRange(joint, promptIds.length, joint.length);
        }
        mismatches++;
        return tokenizer.encode(completionText, false);
    }

    private int[] conversation(String source, List<?> prompt, String promptText, int[] promptIds, JsonNode completion,
                               String field) {
        List<Object> all = new java.util.ArrayList<>(prompt);
        all.addAll(JSON.convertValue(completion, List.class));
        String fullText = tokenizer.applyChatTemplate(all, false);
        int[] joint = tokenizer.encode(fullText, false);
        if (startsWith(joint, promptIds)) {
            return Arrays.copyOfRange(joint, promptIds.length, joint.length);
        }
        if (!fullText.startsWith(promptText)) {
            RecordLocation at = RecordLocation.parse(source);
            throw new DatasetException(at, field, "the chat template applied to prompt + " + field
                    + " does not start with the template applied to the prompt alone (with add_generation_prompt),"
                    + " so the completion's tokens cannot be told apart (TRL's SFTTrainer warns and mislabels them)");
        }
        mismatches++;
        return tokenizer.encode(fullText.substring(promptText.length()), false);
    }

    /** add_special_tokens=True, without a second BOS when the text itself starts with the BOS string. */
    private int[] encodeWithSpecials(String text) {
        int[] ids = tokenizer.encode(text, true);
        int bos = tokenizer.bosId();
        if (bos >= 0 && ids.length >= 2 && ids[0] == bos && ids[1] == bos) {
            return Arrays.copyOfRange(ids, 1, ids.length);
        }
        return ids;
    }

    private static boolean startsWith(int[] ids, int[] prefix) {
        return ids.length >= prefix.length && Arrays.equals(ids, 0, prefix.length, prefix, 0, prefix.length);
    }
}
