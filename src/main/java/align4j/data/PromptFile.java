package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL file of prompts for generation (generate, collect, best-of-n): each record gives {@code prompt_input_ids}
 * (ids used as given), {@code prompt} (text, or a conversational list of messages) or {@code messages};
 * conversations go through the tokenizer's chat template with add_generation_prompt, text prompts get BOS as in
 * training ({@link PreferenceTokenizer#promptIds}).
 */
public final class PromptFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptFile() {}

    /**
     * One input record, its prompt ids, whether it is a conversation, the field the prompt came from and where.
     */
    public record Prompt(ObjectNode record, int[] ids, boolean conversational, String field, RecordLocation location) {}

    /** Reads every non-blank line; {@code tok} may be null for pre-tokenized prompts only. */
    public static List<Prompt> read(Path prompts, Tokenizer tok, int vocab, int maxPositions) throws IOException {
        if (!Files.isRegularFile(prompts)) throw new InputException(prompts + ": not found");
        String file = prompts.toString();
        PreferenceTokenizer encoder = tok == null ? null : new PreferenceTokenizer(tok);
        List<Prompt> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(prompts)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                RecordLocation at = RecordLocation.line(file, n);
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new DatasetException(at, null, "not valid JSON: " + e.getOriginalMessage());
                }
                if (!(node instanceof ObjectNode rec)) throw new DatasetException(at, null, "expected a JSON object");
                out.add(prompt(rec, at, encoder, vocab, maxPositions));
            }
        }
        if (out.isEmpty()) throw new InputException(prompts + ": no prompts");
        return out;
    }

    private static Prompt prompt(ObjectNode rec, RecordLocation at, PreferenceTokenizer encoder, int vocab, int maxPositions) {
        int[] ids;
        boolean conversational = false;
        String field;
        if (rec.hasNonNull("prompt_input_ids")) {
            field = "prompt_input_ids";
            JsonNode a = rec.get(field);
            if (!a.isArray()) throw new DatasetException(at, field, "expected a list of token ids");
            ids = new int[a.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode e = a.get(i);
                if (!e.canConvertToInt() || !e.isIntegralNumber() || e.asInt() < 0 || e.asInt() >= vocab) {
                    throw new DatasetException(at, field, "element " + i + " (" + e + ") is not a token id in [0, " + vocab + ")");
                }
                ids[i] = e.asInt();
            }
        } else {
            field = rec.hasNonNull("prompt") ? "prompt" : rec.hasNonNull("messages") ? "messages" : null;
            if (field == null) throw new DatasetException(at, null, "no prompt: expected a field prompt, messages or prompt_input_ids");
            JsonNode p = rec.get(field);
            conversational = p.isArray();
            if (!conversational && !p.isTextual()) {
                throw new DatasetException(at, field, "expected a string or a list of messages, got " + p.getNodeType());
            }
            if (encoder == null) throw new DatasetException(at, field, "text prompts need the model folder's tokenizer.json");
            try {
                ids = encoder.promptIds(p);
            } catch (IllegalArgumentException e) {
                throw new DatasetException(at, field, e.getMessage(), e);
            }
        }
        if (ids.length == 0) throw new DatasetException(at, field, "the prompt is empty (no tokens)");
        if (ids.length > maxPositions) {
            throw new DatasetException(at, field, "the prompt has " + ids.length + " tokens, more than the model's " + maxPositions + " positions");
        }
        return new Prompt(rec, ids, conversational, field, at);
    }
}
