package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt-only data for online RL (TRL's PPO/GRPO/RLOO datasets): one prompt per record, as
 * <ul>
 *   <li>{@code prompt_input_ids} (or {@code input_ids}): used exactly as given;</li>
 *   <li>{@code prompt} text: tokenized with {@code add_special_tokens=True};</li>
 *   <li>{@code prompt} as a list of messages: rendered by the chat template with
 *       {@code add_generation_prompt=True}, then tokenized without special tokens (the template has them).</li>
 * </ul>
 * Every other column ({@code solution}, {@code answer}, …) stays in the record, which rewards read
 * ({@link #loadWithRecords}). Errors name the file, line and field.
 */
public final class PromptDataset {
    private PromptDataset() {}

    /** The prompts' token ids and, one for one, the records they came from. */
    public record Loaded(int[][] ids, List<DatasetRecord> records) {}

    /** The prompts' token ids; tokenizer may be null when every record is pre-tokenized. */
    public static int[][] load(Path file, Tokenizer tokenizer, int vocabSize) {
        return loadWithRecords(file, tokenizer, vocabSize).ids();
    }

    /** The prompts' token ids and their records; tokenizer may be null when every record is pre-tokenized. */
    public static Loaded loadWithRecords(Path file, Tokenizer tokenizer, int vocabSize) {
        List<int[]> out = new ArrayList<>();
        List<DatasetRecord> records = new ArrayList<>();
        for (DatasetRecord rec : DatasetReader.read(file)) {
            String where = rec.location().describe();
            JsonNode ids = rec.json().has("prompt_input_ids") ? rec.json().get("prompt_input_ids") : rec.json().get("input_ids");
            int[] p;
            if (ids != null) {
                if (!ids.isArray()) throw new InputException(where + ": field 'prompt_input_ids' must be an array of token ids");
                p = new int[ids.size()];
                for (int i = 0; i < p.length; i++) {
                    JsonNode x = ids.get(i);
                    if (!x.canConvertToInt() || !x.isIntegralNumber()) {
                        throw new InputException(where + ": field 'prompt_input_ids', item " + i + " is not an integer");
                    }
                    p[i] = x.asInt();
                }
            } else {
                JsonNode prompt = rec.json().get("prompt");
                if (prompt == null) throw new InputException(where + ": no 'prompt' or 'prompt_input_ids' field");
                if (tokenizer == null) {
                    throw new InputException(where + ": field 'prompt' is text but there is no tokenizer (give --tokenizer, or a model folder with tokenizer.json)");
                }
                if (!prompt.isTextual() && !prompt.isArray()) {
                    throw new InputException(where + ": field 'prompt' must be text or a list of messages");
                }
                p = new PreferenceTokenizer(tokenizer).promptIds(prompt); // exactly as SFT/DPO tokenize prompts
            }
            if (p.length == 0) throw new InputException(where + ": the prompt is empty (RL needs at least one prompt token)");
            for (int t : p) {
                if (t < 0 || t >= vocabSize) {
                    throw new InputException(where + ": prompt token id " + t + " is outside the model's vocabulary [0, " + vocabSize + ")");
                }
            }
            out.add(p);
            records.add(rec);
        }
        if (out.isEmpty()) throw new InputException(file + ": no prompts");
        return new Loaded(out.toArray(new int[0][]), List.copyOf(records));
    }
}
