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
 * A preference dataset read as rankings (listwise training): each listwise record ({@code prompt, completions} with
 * {@code ranking}, {@code scores} or in ranked order, see {@link PreferenceRecords#ranked}) is one list of its K
 * completions, best first; any other preference record (standard pairs, pointwise groups) becomes its pairs as
 * lists of two (after the file's rankings), so a pair dataset trains exactly as pairwise DPO does. Completions are tokenized as a pair's chosen
 * side ({@link PreferenceTokenizer#tokenize(String, com.fasterxml.jackson.databind.JsonNode,
 * com.fasterxml.jackson.databind.JsonNode, boolean)}); truncation applies to each list as to a pair whose longer
 * completion is the list's longest, so all its completions keep one prompt. Pre-tokenized rankings are
 * {@code prompt_input_ids, completions_input_ids} (a list of id lists) with the same {@code ranking} or
 * {@code scores}, used exactly as given; pre-tokenized pairs are lists of two.
 */
public record ListwiseData(RankedLists lists, List<ObjectNode> records, Report report) {

    /** What happened on the way: records read, lists made, lists dropped for max_length, lists truncated. */
    public record Report(int records, int lists, int completions, int dropped, int truncated) {
        @Override
        public String toString() {
            return records + " records → " + lists + " rankings (" + completions + " completions); " + dropped
                    + " dropped (too long for max_length), " + truncated + " truncated";
        }
    }

    public static ListwiseData load(Path file, PreferenceData.Settings settings, Tokenizer tokenizer, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        List<DatasetRecord> records = DatasetReader.read(file);
        PreferenceRecords pr = new PreferenceRecords(settings.columns(), settings.pairing());
        PreferenceTokenizer pt = tokenizer == null ? null : new PreferenceTokenizer(tokenizer);
        String listColumn = settings.columns().column("completions");
        List<DatasetRecord> others = new ArrayList<>();
        List<PreferenceExample> raw = new ArrayList<>(); // per list: prompt, completions best first (chosen = longest)
        List<int[][]> rawLists = new ArrayList<>();
        for (DatasetRecord r : records) {
            if (r.json().has(PRETOKENIZED)) {
                raw.add(new PreferenceExample(r.location().toString(), ids(r, r.json().get(settings.columns().column("prompt_input_ids")),
                        "prompt_input_ids"), null, null, r.json()));
                rawLists.add(pretokenized(r, settings.columns()));
                continue;
            }
            if (!r.json().has(listColumn)) {
                others.add(r);
                continue;
            }
            if (pt == null) throw new InputException(file + ": text rankings need a tokenizer (--tokenizer or the model's folder)");
            PreferenceRecords.Ranked rk = pr.ranked(r);
            if (rk.completions().size() < 2) continue; // a list of one ranks nothing
            int[] prompt = null;
            int[][] cs = new int[rk.completions().size()][];
            for (int k = 0; k < cs.length; k++) {
                int[][] t = pt.tokenize(rk.source(), rk.prompt(), rk.completions().get(k), rk.conversational());
                prompt = t[0];
                cs[k] = t[1];
            }
            raw.add(new PreferenceExample(rk.source(), prompt, null, null, rk.record()));
            rawLists.add(cs);
        }
        if (!others.isEmpty()) {
            PreferenceRecords.Parsed parsed = pr.parse(others);
            for (PreferenceExample e : parsed.pretokenized()) {
                raw.add(new PreferenceExample(e.source(), e.prompt(), null, null, e.record()));
                rawLists.add(new int[][] {e.chosen(), e.rejected()});
            }
            if (!parsed.pairs().isEmpty() && pt == null) {
                throw new InputException(file + ": text preference data needs a tokenizer (--tokenizer or the model's folder)");
            }
            for (PreferencePair p : parsed.pairs()) {
                PreferenceExample e = pt.tokenize(p);
                raw.add(new PreferenceExample(e.source(), e.prompt(), null, null, e.record()));
                rawLists.add(new int[][] {e.chosen(), e.rejected()});
            }
        }
        Truncation truncation = settings.truncation();
        List<int[]> prompts = new ArrayList<>();
        List<int[][]> lists = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<ObjectNode> recs = new ArrayList<>();
        int dropped = 0, truncated = 0, completions = 0;
        for (int i = 0; i < raw.size(); i++) {
            PreferenceExample e = raw.get(i);
            int[][] cs = rawLists.get(i);
            int longest = 0;
            for (int k = 1; k < cs.length; k++) if (cs[k].length > cs[longest].length) longest = k;
            int[] prompt = null;
            int[][] out = new int[cs.length][];
            boolean cut = false, drop = false;
            for (int k = 0; k < cs.length && !drop; k++) {
                PreferenceExample pk = new PreferenceExample(e.source(), e.prompt(), cs[k], cs[longest], e.record());
                PreferenceExample t = truncation.apply(pk);
                if (t == null) {
                    drop = true;
                } else {
                    cut |= t != pk;
                    prompt = t.prompt();
                    out[k] = t.chosen();
                    new PreferenceExample(e.source(), t.prompt(), t.chosen(), t.chosen(), null).checkVocabulary(vocab);
                }
            }
            if (drop) {
                dropped++;
                continue;
            }
            truncated += cut ? 1 : 0;
            completions += out.length;
            prompts.add(prompt);
            lists.add(out);
            sources.add(e.source());
            recs.add(e.record());
        }
        if (lists.isEmpty()) throw new InputException(file + ": no usable rankings (" + records.size() + " records)");
        RankedLists rl = new RankedLists(prompts.toArray(new int[0][]), lists.toArray(new int[0][][]), sources.toArray(new String[0]));
        return new ListwiseData(rl, recs, new Report(records.size(), lists.size(), completions, dropped, truncated));
    }

    /** The field that marks a pre-tokenized ranking, beside prompt_input_ids. */
    private static final String PRETOKENIZED = "completions_input_ids";

    /** A pre-tokenized ranking's completions, best first: by ranking (lower first), else scores (higher first), else as given. */
    private static int[][] pretokenized(DatasetRecord r, ColumnMapping columns) {
        JsonNode list = r.json().get(PRETOKENIZED);
        if (!list.isArray() || list.size() < 2) {
            throw new DatasetException(r.location(), PRETOKENIZED, "expected a list of at least 2 token-id lists");
        }
        int k = list.size();
        double[] key = new double[k];
        JsonNode ranking = r.json().get(columns.column("ranking")), scores = r.json().get(columns.column("scores"));
        JsonNode by = ranking != null ? ranking : scores;
        String column = ranking != null ? columns.column("ranking") : columns.column("scores");
        if (by != null && (!by.isArray() || by.size() != k)) {
            throw new DatasetException(r.location(), column, "expected a list of " + k + " numbers, one per completion");
        }
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
            if (by != null && !by.get(i).isNumber()) {
                throw new DatasetException(r.location(), column, "element " + i + ": expected a number, got " + DatasetReader.typeName(by.get(i)));
            }
            key[i] = by == null ? -i : ranking != null ? -by.get(i).asDouble() : by.get(i).asDouble();
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(key[b], key[a])); // stable: ties keep their order
        int[][] out = new int[k][];
        for (int i = 0; i < k; i++) {
            out[i] = ids(r, list.get(order[i]), PRETOKENIZED + "[" + order[i] + "]");
            if (out[i].length == 0) throw new DatasetException(r.location(), PRETOKENIZED + "[" + order[i] + "]", "empty completion");
        }
        return out;
    }

    private static int[] ids(DatasetRecord r, JsonNode v, String column) {
        if (v == null || !v.isArray()) {
            throw new DatasetException(r.location(), column, "expected a list of token ids, got " + (v == null ? "nothing" : DatasetReader.typeName(v)));
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                throw new DatasetException(r.location(), column, "element " + i + ": expected an integer token id, got " + DatasetReader.typeName(v.get(i)));
            }
            out[i] = v.get(i).intValue();
        }
        return out;
    }

    /** The lists (and records) at the given indices, in that order; the report stays the file's. */
    public ListwiseData select(int[] idx) {
        List<ObjectNode> recs = new ArrayList<>(idx.length);
        for (int i : idx) recs.add(records.get(i));
        return new ListwiseData(lists.select(idx), recs, report);
    }
}
