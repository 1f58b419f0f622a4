package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Datasets of single sequences in TRL's SFT formats (docs/source/dataset_formats.md, sft_trainer.py
 * {@code _prepare_dataset}), read per record:
 * <ul>
 *   <li>{@code text}: language modelling; tokenized with special tokens, EOS appended when missing; loss on all tokens;</li>
 *   <li>{@code prompt} + {@code completion} (strings or message lists): tokenized as {@link PreferenceTokenizer}
 *       tokenizes a pair's chosen side; loss on the completion when {@code completionOnly}, else on all tokens;</li>
 *   <li>{@code messages}: a conversation rendered by the chat template; loss on all tokens, or with
 *       {@code assistantOnly} on the assistant turns (each turn's tokens found by rendering the conversation
 *       up to it with add_generation_prompt and up to its end);</li>
 *   <li>pre-tokenized {@code input_ids} (optional {@code completion_mask}), or {@code prompt_input_ids} +
 *       {@code completion_input_ids}.</li>
 * </ul>
 */
public final class SequenceDataset {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SequenceDataset() {}

    /** How loss targets are chosen. */
    public record LossOptions(boolean completionOnly, boolean assistantOnly) {}

    /**
     * @param tokenizer null only when every record is pre-tokenized
     * @param maxLength truncate each sequence to its first maxLength tokens (TRL's SFT truncation); ≤ 0: none
     */
    public static List<SequenceExample> load(Path file, ColumnMapping columns, Tokenizer tokenizer, LossOptions loss,
                                             int maxLength) {
        List<SequenceExample> out = new ArrayList<>();
        PreferenceTokenizer pt = tokenizer == null ? null : new PreferenceTokenizer(tokenizer);
        for (DatasetRecord r : DatasetReader.read(file)) {
            SequenceExample e = parse(r, columns, tokenizer, pt, loss);
            if (maxLength > 0 && e.ids().length > maxLength) {
                e = new SequenceExample(e.source(), Arrays.copyOf(e.ids(), maxLength), Math.min(e.promptLength(), maxLength),
                        Arrays.copyOf(e.lossMask(), maxLength), e.record());
            }
            out.add(e);
        }
        return out;
    }

    /**
     * The examples of file a training run keeps: every id inside the model's vocabulary (an error names the record
     * otherwise), examples without loss tokens dropped; prints what was read to stderr, prefixed by command.
     */
    public static List<SequenceExample> forTraining(String command, Path file, ColumnMapping columns, Tokenizer tokenizer,
                                                    LossOptions loss, int maxLength, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        List<SequenceExample> ex = load(file, columns, tokenizer, loss, maxLength);
        long tokens = 0, lossTokens = 0;
        int empty = 0;
        List<SequenceExample> kept = new ArrayList<>(ex.size());
        for (SequenceExample e : ex) {
            for (int id : e.ids()) {
                if (id >= vocab) {
                    throw new DatasetException(RecordLocation.parse(e.source()), null, "token id " + id
                            + " is outside the model's vocabulary (" + vocab + ")");
                }
            }
            tokens += e.ids().length;
            lossTokens += e.lossTokens();
            if (e.lossTokens() > 0) kept.add(e);
            else empty++;
        }
        if (ex.isEmpty()) throw new InputException(file + ": no records");
        if (lossTokens == 0) throw new InputException(file + ": no loss tokens (empty completions, or everything truncated by --max-length)");
        System.err.printf("%s: %s: %d sequences, %d tokens, %d loss tokens; %d without loss tokens skipped%n", command, file,
                kept.size(), tokens, lossTokens, empty);
        return kept;
    }

    private static SequenceExample parse(DatasetRecord r, ColumnMapping cols, Tokenizer tok, PreferenceTokenizer pt,
                                         LossOptions loss) {
        ObjectNode o = r.json();
        String src = r.location().toString();
        if (o.has("input_ids")) {
            int[] ids = ids(r, "input_ids");
            boolean[] mask = new boolean[ids.length];
            JsonNode cm = o.get("completion_mask");
            for (int i = 0; i < ids.length; i++) {
                mask[i] = cm == null || !loss.completionOnly() || cm.path(i).asInt(0) != 0;
            }
            return new SequenceExample(src, ids, 0, mask, o);
        }
        if (o.has(cols.column("prompt_input_ids"))) {
            return promptCompletion(src, ids(r, cols.column("prompt_input_ids")), ids(r, "completion_input_ids"), loss, o);
        }
        if (o.has("messages")) {
            requireTokenizer(r, tok, "messages");
            return messages(r, tok, loss.assistantOnly());
        }
        if (o.has(cols.column("completion"))) {
            requireTokenizer(r, tok, cols.column("completion"));
            JsonNode p = o.get(cols.column("prompt")), c = o.get(cols.column("completion"));
            if (p == null) throw new DatasetException(r.location(), cols.column("prompt"), "missing (the record has a completion)");
            boolean conv = p.isArray() && c.isArray();
            if (!conv && !(p.isTextual() && c.isTextual())) {
                throw new DatasetException(r.location(), cols.column("completion"),
                        "prompt and completion must both be strings or both be lists of messages");
            }
            if (conv) PreferenceTokenizer.refuseTools(src, o);
            int[][] pc = pt.tokenize(src, p, c, conv);
            return promptCompletion(src, pc[0], pc[1], loss, o);
        }
        if (o.has(cols.column("text"))) {
            requireTokenizer(r, tok, cols.column("text"));
            JsonNode t = o.get(cols.column("text"));
            if (!t.isTextual()) throw new DatasetException(r.location(), cols.column("text"), "expected a string, got " + DatasetReader.typeName(t));
            int[] ids = tok.encode(t.asText(), true);
            int eos = tok.eosId();
            if (eos >= 0 && (ids.length == 0 || ids[ids.length - 1] != eos)) {
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = eos;
            }
            boolean[] mask = new boolean[ids.length];
            Arrays.fill(mask, true);
            return new SequenceExample(src, ids, 0, mask, o);
        }
        throw new DatasetException(r.location(), null, "no SFT field: expected \"text\", \"prompt\"+\"completion\", \"messages\", "
                + "\"input_ids\" or \"prompt_input_ids\"+\"completion_input_ids\"");
    }

    private static SequenceExample promptCompletion(String src, int[] prompt, int[] completion, LossOptions loss, ObjectNode o) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, ids, prompt.length, completion.length);
        boolean[] mask = new boolean[ids.length];
        Arrays.fill(mask, loss.completionOnly() ? prompt.length : 0, ids.length, true);
        return new SequenceExample(src, ids, prompt.length, mask, o);
    }

    /**
     * A conversation's ids; with assistantOnly, the loss tokens of each assistant turn i run from the end of the
     * rendering of messages[:i] with add_generation_prompt (which the whole rendering must start with) through
     * the turn's content, plus the special token right after it (end of turn, e.g. {@code <|eot_id|>},
     * {@code <|im_end|>}): what TRL marks with the template's {% generation %} blocks. A turn is found by its answer
     * (the text after a {@code </think>}, which reasoning templates drop from earlier turns); when the generation
     * prompt is not how the turn was rendered (Qwen3's enable_thinking=false block before an earlier turn), the turn
     * starts at its answer.
     */
    private static SequenceExample messages(DatasetRecord r, Tokenizer tok, boolean assistantOnly) {
        JsonNode m = r.json().get("messages");
        if (!m.isArray() || m.isEmpty()) throw new DatasetException(r.location(), "messages", "expected a non-empty list of messages");
        PreferenceTokenizer.refuseTools(r.location().toString(), r.json());
        List<?> all = JSON.convertValue(m, List.class);
        String full = tok.applyChatTemplate(all, false);
        int[] ids = tok.encode(full, false);
        boolean[] mask = new boolean[ids.length];
        if (!assistantOnly) {
            Arrays.fill(mask, true);
            return new SequenceExample(r.location().toString(), ids, 0, mask, r.json());
        }
        int searchFrom = 0;
        for (int i = 0; i < m.size(); i++) {
            if (!"assistant".equals(m.get(i).path("role").asText())) continue;
            String content = m.get(i).path("content").asText("");
            // Reasoning templates (Qwen3, DeepSeek-R1) drop an earlier turn's <think> block: find the answer after it.
            content = content.substring(content.lastIndexOf("</think>") < 0 ? 0 : content.lastIndexOf("</think>") + 8).strip();
            String before = tok.applyChatTemplate(all.subList(0, i), true);
            if (!full.startsWith(before)) {
                // The generation prompt is not how this turn was rendered (Qwen3 with enable_thinking=false adds an
                // empty think block that earlier turns do not have): the turn's tokens then start at its content.
                String history = tok.applyChatTemplate(all.subList(0, i), false);
                int from = full.startsWith(history) && !content.isEmpty() ? full.indexOf(content, Math.max(history.length(), searchFrom)) : -1;
                if (from >= 0) before = full.substring(0, from);
            }
            int at = content.isEmpty() ? -1 : full.indexOf(content, Math.max(before.length(), searchFrom));
            int[] beforeIds = tok.encode(before, false);
            int[] throughIds = at < 0 ? null : tok.encode(full.substring(0, at + content.length()), false);
            if (!full.startsWith(before) || !startsWith(ids, beforeIds) || at < 0 || !startsWith(ids, throughIds)) {
                if (content.isEmpty()) continue;
                throw new DatasetException(r.location(), "messages", "message " + i + ": the chat template's rendering of the"
                        + " conversation up to this assistant turn is not a prefix of the whole conversation's, so the turn's"
                        + " tokens cannot be told apart; train without --assistant-only-loss");
            }
            int end = throughIds.length;
            if (end < ids.length && tok.decode(new int[] {ids[end]}, true).isEmpty()) end++; // the end-of-turn special token
            Arrays.fill(mask, beforeIds.length, end, true);
            searchFrom = at + content.length();
        }
        return new SequenceExample(r.location().toString(), ids, 0, mask, r.json());
    }

    private static boolean startsWith(int[] ids, int[] prefix) {
        return ids.length >= prefix.length && Arrays.equals(ids, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static void requireTokenizer(DatasetRecord r, Tokenizer tok, String field) {
        if (tok == null) {
            throw new DatasetException(r.location(), field, "text data needs a tokenizer (--tokenizer or tokenizer.json in the model's folder)");
        }
    }

    private static int[] ids(DatasetRecord r, String field) {
        JsonNode n = r.json().get(field);
        if (n == null) throw new DatasetException(r.location(), field, "missing");
        if (!n.isArray()) throw new DatasetException(r.location(), field, "expected a list of token ids, got " + DatasetReader.typeName(n));
        int[] ids = new int[n.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode v = n.get(i);
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                throw new DatasetException(r.location(), field, "element " + i + " is not a token id: " + v);
            }
            ids[i] = v.asInt();
        }
        return ids;
    }
}
