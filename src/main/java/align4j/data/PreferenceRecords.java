package align4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interprets dataset records in TRL's preference shapes (docs/source/dataset_formats.md):
 * <ul>
 *   <li>standard {@code prompt, chosen, rejected} (strings), or conversational (lists of {@code {role, content}});</li>
 *   <li>implicit prompt {@code chosen, rejected}: the prompt is extracted as TRL's {@code extract_prompt} does;</li>
 *   <li>pre-tokenized {@code prompt_input_ids, chosen_input_ids, rejected_input_ids}: used exactly as given;</li>
 *   <li>pointwise {@code prompt, completion, score}: records of the same prompt become pairs;</li>
 *   <li>listwise {@code prompt, completions} ranked best first, or with {@code ranking} (each completion's rank, 1 the
 *       best) or {@code scores}: pairs within the record, or one ranking ({@link #ranked}) for listwise training.</li>
 * </ul>
 * Field names go through a {@link ColumnMapping}; errors name the dataset's own column.
 */
public final class PreferenceRecords {
    /** Text pairs, or (for a pre-tokenized dataset) examples ready to use; one of the two is empty. */
    public record Parsed(List<PreferencePair> pairs, List<PreferenceExample> pretokenized) {
    }

    private final ColumnMapping columns;
    private final Pairing pairing;

    public PreferenceRecords(ColumnMapping columns, Pairing pairing) {
        this.columns = columns;
        this.pairing = pairing;
    }

    public Parsed parse(List<DatasetRecord> records) {
        List<PreferencePair> pairs = new ArrayList<>();
        List<PreferenceExample> tokens = new ArrayList<>();
        Map<String, List<Scored>> pointwise = new LinkedHashMap<>();
        for (DatasetRecord r : records) {
            ObjectNode o = r.json();
            if (has(o, "prompt_input_ids")) {
                tokens.add(pretokenized(r));
            } else if (has(o, "completions")) {
                pairs.addAll(listwise(r));
            } else if (has(o, "completion") || has(o, "score")) {
                JsonNode prompt = text(r, "prompt", true);
                JsonNode completion = text(r, "completion", false);
                sameKind(r, prompt, completion, "completion");
                double score = number(r, o.get(columns.column("score")), "score");
                pointwise.computeIfAbsent(prompt.toString(), k -> new ArrayList<>())
                        .add(new Scored(r, prompt, completion, score));
            } else {
                pairs.add(standard(r));
            }
            if (!tokens.isEmpty() && (!pairs.isEmpty() || !pointwise.isEmpty())) {
                throw new DatasetException(r.location(), null, "the dataset mixes pre-tokenized records (\""
                        + columns.column("prompt_input_ids") + "\") with text records; use one kind per file");
            }
        }
        for (List<Scored> group : pointwise.values()) {
            pairs.addAll(pairsOf(group));
        }
        return new Parsed(pairs, tokens);
    }

    private boolean has(ObjectNode o, String field) {
        return o.has(columns.column(field));
    }

    private PreferencePair standard(DatasetRecord r) {
        JsonNode chosen = text(r, "chosen", false);
        JsonNode rejected = text(r, "rejected", false);
        sameKind(r, chosen, rejected, "rejected");
        JsonNode prompt;
        if (has(r.json(), "prompt")) {
            prompt = text(r, "prompt", true);
            sameKind(r, chosen, prompt, "prompt");
        } else {
            JsonNode[] split = PromptExtraction.extract(chosen, rejected);
            prompt = split[0];
            chosen = split[1];
            rejected = split[2];
            nonEmpty(r, chosen, "chosen");
            nonEmpty(r, rejected, "rejected");
        }
        if (chosen.equals(rejected)) {
            throw new DatasetException(r.location(), columns.column("rejected"), "identical to \""
                    + columns.column("chosen") + "\"; a preference pair needs two different completions");
        }
        return new PreferencePair(r.location().toString(), prompt, chosen, rejected, chosen.isArray(), r.json());
    }

    private PreferenceExample pretokenized(DatasetRecord r) {
        return new PreferenceExample(r.location().toString(), ids(r, "prompt_input_ids", true),
                ids(r, "chosen_input_ids", false), ids(r, "rejected_input_ids", false), r.json());
    }

    private int[] ids(DatasetRecord r, String field, boolean mayBeEmpty) {
        String column = columns.column(field);
        JsonNode v = r.json().get(column);
        if (v == null) {
            throw new DatasetException(r.location(), column, "missing");
        }
        if (!v.isArray()) {
            throw new DatasetException(r.location(), column, "expected a list of token ids, got " + DatasetReader.typeName(v));
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = v.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                throw new DatasetException(r.location(), column, "element " + i + ": expected an integer token id, got "
                        + DatasetReader.typeName(x));
            }
            out[i] = x.intValue();
        }
        if (out.length == 0 && !mayBeEmpty) {
            throw new DatasetException(r.location(), column, "empty completion");
        }
        return out;
    }

    private record Scored(DatasetRecord record, JsonNode prompt, JsonNode completion, double score) {
    }

    private List<PreferencePair> listwise(DatasetRecord r) {
        return pairsOf(scoredList(r));
    }

    /**
     * A listwise record as one ranking (listwise training): the completions best first, ordered by {@code ranking}
     * (each completion's rank, lower is better), else by {@code scores} (higher is better), else as given; ties keep
     * their order in the record. {@code scores} are the ordering's scores (−rank for a ranking, −position for none).
     */
    public record Ranked(String source, JsonNode prompt, List<JsonNode> completions, double[] scores, boolean conversational,
                         ObjectNode record) {}

    /** The record (one with {@code completions}) as a ranking; a repeated completion is an input error. */
    public Ranked ranked(DatasetRecord r) {
        List<Scored> s = new ArrayList<>(scoredList(r));
        s.sort((a, b) -> Double.compare(b.score, a.score)); // stable
        List<JsonNode> completions = new ArrayList<>();
        double[] scores = new double[s.size()];
        for (int i = 0; i < scores.length; i++) {
            completions.add(s.get(i).completion);
            scores[i] = s.get(i).score;
            for (int j = 0; j < i; j++) {
                if (completions.get(j).equals(completions.get(i))) {
                    throw new DatasetException(r.location(), columns.column("completions"), "the same completion appears twice");
                }
            }
        }
        JsonNode prompt = s.isEmpty() ? text(r, "prompt", true) : s.get(0).prompt;
        return new Ranked(r.location().toString(), prompt, completions, scores, prompt.isArray(), r.json());
    }

    private List<Scored> scoredList(DatasetRecord r) {
        JsonNode prompt = text(r, "prompt", true);
        String column = columns.column("completions");
        JsonNode list = r.json().get(column);
        if (!list.isArray()) {
            throw new DatasetException(r.location(), column, "expected a list of completions, got " + DatasetReader.typeName(list));
        }
        JsonNode scores = r.json().get(columns.column("scores"));
        if (scores != null && (!scores.isArray() || scores.size() != list.size())) {
            throw new DatasetException(r.location(), columns.column("scores"), "expected a list of " + list.size()
                    + " numbers, one per completion");
        }
        JsonNode ranking = r.json().get(columns.column("ranking"));
        if (ranking != null && (!ranking.isArray() || ranking.size() != list.size())) {
            throw new DatasetException(r.location(), columns.column("ranking"), "expected a list of " + list.size()
                    + " ranks, one per completion (1 = best)");
        }
        List<Scored> ranked = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode c = completion(r, list.get(i), column + "[" + i + "]");
            sameKind(r, prompt, c, column);
            // A ranking gives rank ρ the score −ρ; ranked best first without either: position i scores −i.
            double score = ranking != null ? -number(r, ranking.get(i), columns.column("ranking") + "[" + i + "]")
                    : scores == null ? -i : number(r, scores.get(i), columns.column("scores") + "[" + i + "]");
            ranked.add(new Scored(r, prompt, c, score));
        }
        return ranked;
    }

    /** Pairs among completions of one prompt, stable by first appearance; equal scores make no pair. */
    private List<PreferencePair> pairsOf(List<Scored> group) {
        double[] scores = new double[group.size()];
        for (int i = 0; i < scores.length; i++) scores[i] = group.get(i).score;
        List<PreferencePair> out = new ArrayList<>();
        for (ScoredPairs.Pair p : ScoredPairs.of(scores, pairing)) out.add(pair(group.get(p.chosen()), group.get(p.rejected())));
        return out;
    }

    private PreferencePair pair(Scored chosen, Scored rejected) {
        if (chosen.completion.equals(rejected.completion)) {
            throw new DatasetException(rejected.record.location(), columns.column("completion"),
                    "the same completion appears with different scores (" + chosen.score + ", " + rejected.score + ")");
        }
        ObjectNode record = ScoredPairs.record(chosen.prompt, chosen.completion, rejected.completion, chosen.score, rejected.score);
        String source = chosen.record == rejected.record ? chosen.record.location().toString()
                : chosen.record.location() + "+" + rejected.record.location().line();
        return new PreferencePair(source, chosen.prompt, chosen.completion, rejected.completion,
                chosen.completion.isArray(), record);
    }

    /** A string or a non-empty list of messages; the prompt may be empty, a completion may not. */
    private JsonNode text(DatasetRecord r, String field, boolean isPrompt) {
        String column = columns.column(field);
        JsonNode v = r.json().get(column);
        if (v == null) {
            throw new DatasetException(r.location(), column, "missing");
        }
        return isPrompt ? messagesOrString(r, v, column) : completion(r, v, column);
    }

    private JsonNode completion(DatasetRecord r, JsonNode v, String column) {
        JsonNode c = messagesOrString(r, v, column);
        nonEmpty(r, c, column);
        return c;
    }

    private static void nonEmpty(DatasetRecord r, JsonNode c, String column) {
        if (c.isTextual() ? c.asText().isEmpty() : c.isEmpty()) {
            throw new DatasetException(r.location(), column, "empty completion");
        }
    }

    private static JsonNode messagesOrString(DatasetRecord r, JsonNode v, String column) {
        if (v.isTextual()) {
            return v;
        }
        if (!v.isArray()) {
            throw new DatasetException(r.location(), column, "expected a string or a list of {\"role\", \"content\"} messages, got "
                    + DatasetReader.typeName(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                throw new DatasetException(r.location(), column, "message " + i
                        + " must be an object with string \"role\" and \"content\", got " + m);
            }
        }
        return v;
    }

    private void sameKind(DatasetRecord r, JsonNode a, JsonNode b, String field) {
        if (a.isArray() != b.isArray()) {
            throw new DatasetException(r.location(), columns.column(field), "expected " + (a.isArray()
                    ? "a list of messages" : "a string") + " like the other fields of the record, got " + DatasetReader.typeName(b));
        }
    }

    private static double number(DatasetRecord r, JsonNode v, String column) {
        if (v == null) {
            throw new DatasetException(r.location(), column, "missing");
        }
        if (!v.isNumber()) {
            throw new DatasetException(r.location(), column, "expected a number, got " + DatasetReader.typeName(v));
        }
        return v.doubleValue();
    }
}
