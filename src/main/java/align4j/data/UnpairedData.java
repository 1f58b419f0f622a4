package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpaired preference data, TRL's KTO format: one completion of a prompt per record with a binary label,
 * {@code {"prompt": …, "completion": …, "label": true|false}} (text, or lists of messages through the chat
 * template), or pre-tokenized {@code prompt_input_ids}, {@code completion_input_ids} and {@code label}. A paired
 * file ({@code prompt}/{@code chosen}/{@code rejected}, or anything {@link PreferenceData} reads) is split as TRL's
 * {@code unpair_preference_dataset} splits it: per 1,000 pairs (its {@code map(batched=True)} batch), every chosen
 * completion labelled true, then every rejected one labelled false. Completions are tokenized as {@code dpo}
 * tokenizes a pair's chosen side ({@link PreferenceTokenizer}); max_length/max_prompt_length truncate each example
 * as a pair whose two completions are that one.
 *
 * @param sources for each example, {@code file:line}
 */
public record UnpairedData(int[][] prompts, int[][] completions, boolean[] labels, String[] sources) {
    /** TRL's {@code Dataset.map(batched=True)} batch size, over which unpairing puts chosen before rejected. */
    static final int UNPAIR_CHUNK = 1000;

    public int size() {
        return prompts.length;
    }

    public int desirable() {
        int d = 0;
        for (boolean l : labels) if (l) d++;
        return d;
    }

    /**
     * Reads file with the tokenizer (null: pre-tokenized records only); every id is checked against the model's
     * vocabulary. A file without one usable example, or a record whose label is not true or false, is an input error
     * naming the file, line and field.
     */
    public static UnpairedData load(Path file, PreferenceData.Settings settings, Tokenizer tokenizer, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        List<DatasetRecord> records = DatasetReader.read(file);
        if (records.isEmpty()) throw new InputException(file + ": no records");
        JsonNode first = records.get(0).json();
        boolean unpaired = first.has("label") && (first.has("completion") || first.has("completion_input_ids"));
        return unpaired ? unpaired(file, records, settings.truncation(), tokenizer, vocab)
                : unpair(PreferenceData.load(file, settings, tokenizer, vocab).pairs());
    }

    /** TRL's {@code unpair_preference_dataset}: per chunk of 1,000 pairs, the chosen (true), then the rejected (false). */
    public static UnpairedData unpair(Pairs pairs) {
        int n = pairs.size();
        int[][] p = new int[2 * n][], c = new int[2 * n][];
        boolean[] l = new boolean[2 * n];
        String[] s = new String[2 * n];
        int k = 0;
        for (int start = 0; start < n; start += UNPAIR_CHUNK) {
            int end = Math.min(n, start + UNPAIR_CHUNK);
            for (int side = 0; side < 2; side++) {
                for (int i = start; i < end; i++, k++) {
                    p[k] = pairs.prompts()[i];
                    c[k] = side == 0 ? pairs.chosen()[i] : pairs.rejected()[i];
                    l[k] = side == 0;
                    s[k] = pairs.sources()[i];
                }
            }
        }
        return new UnpairedData(p, c, l, s);
    }

    /** The examples at the given indices, in that order. */
    public UnpairedData select(int[] idx) {
        int n = idx.length;
        int[][] p = new int[n][], c = new int[n][];
        boolean[] l = new boolean[n];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = prompts[idx[i]];
            c[i] = completions[idx[i]];
            l[i] = labels[idx[i]];
            s[i] = sources[idx[i]];
        }
        return new UnpairedData(p, c, l, s);
    }

    /**
     * Each example with its mismatched completion, as pairs: prompt x_i, "chosen" y_i and "rejected" y'_i, the
     * completion TRL's {@code _get_kl_dataset} gives it. TRL maps the dataset in order with
     * {@code batch_size=per_device_train_batch_size} and shifts the completions of each such chunk by one
     * ((x_1, y_n), (x_2, y_1), …, (x_n, y_{n−1})); a last chunk of one example keeps its own completion.
     */
    public Pairs klPairs(int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize);
        int n = size();
        int[][] kl = new int[n][];
        for (int start = 0; start < n; start += batchSize) {
            int len = Math.min(batchSize, n - start);
            for (int j = 0; j < len; j++) kl[start + j] = completions[start + (j + len - 1) % len];
        }
        return new Pairs(prompts, completions, kl, sources);
    }

    private static UnpairedData unpaired(Path file, List<DatasetRecord> records, Truncation truncation, Tokenizer tokenizer,
                                         int vocab) {
        PreferenceTokenizer tok = tokenizer == null ? null : new PreferenceTokenizer(tokenizer);
        List<int[]> p = new ArrayList<>(), c = new ArrayList<>();
        List<Boolean> l = new ArrayList<>();
        List<String> s = new ArrayList<>();
        for (DatasetRecord r : records) {
            RecordLocation at = r.location();
            JsonNode json = r.json();
            JsonNode label = json.get("label");
            if (label == null || !label.isBoolean()) {
                throw new DatasetException(at, "label", "expected true (desirable) or false (undesirable), got "
                        + (label == null ? "nothing" : label.toString()));
            }
            int[][] ids;
            if (json.has("completion_input_ids")) {
                ids = new int[][] {ids(at, json, "prompt_input_ids"), ids(at, json, "completion_input_ids")};
            } else {
                JsonNode prompt = json.get("prompt"), completion = json.get("completion");
                if (prompt == null || !(prompt.isTextual() || prompt.isArray())) {
                    throw new DatasetException(at, "prompt", "expected text or a list of messages");
                }
                if (completion == null || !(completion.isTextual() || completion.isArray())) {
                    throw new DatasetException(at, "completion", "expected text or a list of messages");
                }
                if (tok == null) {
                    throw new DatasetException(at, null, "text records need a tokenizer (tokenizer.json in the model folder, or --tokenizer)");
                }
                ids = tok.tokenize(at.toString(), prompt, completion, prompt.isArray());
            }
            if (ids[1].length == 0) throw new DatasetException(at, "completion", "empty completion");
            PreferenceExample e = truncation.apply(new PreferenceExample(at.toString(), ids[0], ids[1], ids[1], r.json()));
            if (e == null) continue;
            checkVocabulary(at, e.prompt(), "prompt_input_ids", vocab);
            checkVocabulary(at, e.chosen(), "completion_input_ids", vocab);
            p.add(e.prompt());
            c.add(e.chosen());
            l.add(label.asBoolean());
            s.add(at.toString());
        }
        if (p.isEmpty()) throw new InputException(file + ": no usable examples (every one is longer than --max-length)");
        boolean[] labels = new boolean[l.size()];
        for (int i = 0; i < labels.length; i++) labels[i] = l.get(i);
        return new UnpairedData(p.toArray(new int[0][]), c.toArray(new int[0][]), labels, s.toArray(new String[0]));
    }

    /** Every id must index the model's embedding table: 0 ≤ id &lt; vocab. */
    private static void checkVocabulary(RecordLocation at, int[] ids, String field, int vocab) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new DatasetException(at, field, "token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.."
                        + (vocab - 1) + ")");
            }
        }
    }

    private static int[] ids(RecordLocation at, JsonNode json, String field) {
        JsonNode a = json.get(field);
        if (a == null || !a.isArray()) throw new DatasetException(at, field, "expected a list of token ids");
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).canConvertToInt()) throw new DatasetException(at, field, "position " + i + " is not a token id");
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
