package align4j.api;

import align4j.data.DatasetException;
import align4j.data.PromptFile;
import align4j.eval.Sample;
import align4j.generate.Generation;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A policy's samples for a file of prompts ({@link Sampling#draw}): the prompts as read, n completions per prompt
 * (prompt-major), and the policy's tokenizer (null for a pre-tokenized model folder).
 */
public record Samples(List<PromptFile.Prompt> prompts, List<Generation> generations, int n, Tokenizer tokenizer) {
    /** Generation j of prompt i. */
    public Generation get(int i, int j) {
        return generations.get(i * n + j);
    }

    /**
     * Prompt i's record with completion j added as TRL writes it: {@code completion} (a string, or for a
     * conversational prompt [{"role": "assistant", "content": …}]) and {@code completion_input_ids}.
     */
    public ObjectNode completionRecord(int i, int j) {
        PromptFile.Prompt p = prompts.get(i);
        Generation g = get(i, j);
        ObjectNode rec = p.record().deepCopy();
        if (g.text() != null) {
            if (p.conversational()) rec.putArray("completion").addObject().put("role", "assistant").put("content", g.text());
            else rec.put("completion", g.text());
        }
        ArrayNode ids = rec.putArray("completion_input_ids");
        for (int id : g.tokenIds()) ids.add(id);
        return rec;
    }

    /** The completions of prompt i as a scorer or judge sees them; referenceField (or null) names each record's reference. */
    public List<Sample> samples(int i, String referenceField) {
        PromptFile.Prompt p = prompts.get(i);
        String prompt = promptText(p, tokenizer), ref = reference(p, referenceField);
        List<Sample> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            Generation g = get(i, j);
            out.add(new Sample(prompt, p.ids(), g.text(), g.tokenIds(), ref));
        }
        return out;
    }

    /** The text a labeller sees as the prompt: the string, or a conversation's messages as "role: content" lines. */
    static String promptText(PromptFile.Prompt p, Tokenizer tok) {
        if (p.field().equals("prompt_input_ids")) return tok == null ? null : tok.decode(p.ids(), true);
        JsonNode v = p.record().get(p.field());
        if (v.isTextual()) return v.asText();
        StringBuilder b = new StringBuilder();
        for (JsonNode m : v) b.append(m.path("role").asText()).append(": ").append(m.path("content").asText()).append('\n');
        return b.toString().strip();
    }

    /** The reference completion of a prompt record: a string, or the last message's content; null without a field. */
    static String reference(PromptFile.Prompt p, String field) {
        if (field == null) return null;
        JsonNode v = p.record().get(field);
        if (v == null || v.isNull()) throw new DatasetException(p.location(), field, "missing (asked for by --references)");
        if (v.isTextual()) return v.asText();
        if (v.isArray() && !v.isEmpty() && v.get(v.size() - 1).path("content").isTextual()) return v.get(v.size() - 1).get("content").asText();
        throw new DatasetException(p.location(), field, "expected a string or a list of messages");
    }
}
