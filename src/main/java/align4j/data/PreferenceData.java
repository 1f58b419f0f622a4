package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A preference dataset file read for a model: its pairs tokenized in the one shape the trainers take
 * ({@link Pairs}), the original records (a one-shot tool writes each back with its results), and the load report.
 */
public record PreferenceData(Pairs pairs, List<ObjectNode> records, PreferenceDataset.Report report) {

    /**
     * How records become pairs: TRL's dataset_columns mapping, pairing of scored/ranked data, and truncation.
     *
     * @param columns         the data's field names for prompt/chosen/rejected/…, or null for TRL's own
     * @param pairing         all_pairs (default) or best_vs_worst for pointwise and listwise records
     * @param maxLength       truncate prompt + completion to this many tokens; ≤ 0: no limit (default)
     * @param maxPromptLength truncate prompts to this many tokens; ≤ 0: no limit (default)
     * @param truncationMode  keep_end (default) or keep_start
     */
    public record Settings(ColumnMapping columns, Pairing pairing, int maxLength, int maxPromptLength, Truncation.Mode truncationMode) {
        public static Settings defaults() {
            return new Settings(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS, 0, 0, Truncation.Mode.KEEP_END);
        }

        Truncation truncation() {
            return maxLength <= 0 && maxPromptLength <= 0 ? Truncation.NONE : new Truncation(maxLength, maxPromptLength, truncationMode);
        }
    }

    /**
     * Reads file with the tokenizer (null: pre-tokenized records only); every id is checked against the model's
     * vocabulary. A file without one usable pair is an input error.
     */
    public static PreferenceData load(Path file, Settings settings, Tokenizer tokenizer, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        PreferenceDataset ds = PreferenceDataset.load(file, settings.columns(), settings.pairing(), tokenizer, settings.truncation());
        List<PreferenceExample> ex = ds.examples();
        int n = ex.size();
        if (n == 0) throw new InputException(file + ": no usable preference pairs (" + ds.report() + ")");
        int[][] pr = new int[n][], ch = new int[n][], rj = new int[n][];
        String[] src = new String[n];
        List<ObjectNode> recs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PreferenceExample e = ex.get(i);
            e.checkVocabulary(vocab);
            pr[i] = e.prompt();
            ch[i] = e.chosen();
            rj[i] = e.rejected();
            src[i] = e.source();
            recs.add(e.record());
        }
        return new PreferenceData(new Pairs(pr, ch, rj, src), recs, ds.report());
    }

    /** The pairs (and records) at the given indices, in that order; the report stays the file's. */
    public PreferenceData select(int[] idx) {
        List<ObjectNode> recs = new ArrayList<>(idx.length);
        for (int i : idx) recs.add(records.get(i));
        return new PreferenceData(pairs.select(idx), recs, report);
    }

    /**
     * A numeric per-pair field (e.g. reward training's margin), or null when no record has it; a record without it,
     * or with a value that is not a number, is an input error naming the record.
     */
    public double[] column(String name) {
        if (records.stream().noneMatch(r -> r.has(name))) return null;
        double[] m = new double[records.size()];
        for (int i = 0; i < m.length; i++) {
            JsonNode v = records.get(i).get(name);
            if (v == null || !v.isNumber()) {
                throw new InputException(pairs.sources()[i] + ": field '" + name + "' must be a number in every record"
                        + " when any record has it, got " + (v == null ? "nothing" : v.toString()));
            }
            m[i] = v.asDouble();
        }
        return m;
    }
}
