package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A preference dataset file, read, interpreted and tokenized: the one path from a file to examples.
 *
 * @param examples  what training and evaluation use, in file order
 * @param report    what happened on the way (to print once per run)
 */
public record PreferenceDataset(List<PreferenceExample> examples, Report report) {

    /**
     * @param records     records read from the file
     * @param pairs       preference pairs made from them (pointwise/listwise records give several or none)
     * @param mismatches  completions whose joint tokenization did not start with the prompt's ids (tokenized
     *                    separately instead, see {@link PreferenceTokenizer})
     * @param dropped     examples that could not fit max_length
     * @param truncated   examples shortened to fit
     */
    public record Report(int records, int pairs, int mismatches, int dropped, int truncated) {
        @Override
        public String toString() {
            return records + " records → " + pairs + " pairs; " + dropped + " dropped (too long for max_length), "
                    + truncated + " truncated; prompt/completion boundary mismatches: " + mismatches;
        }
    }

    /**
     * @param tokenizer null only for pre-tokenized data; when given, pre-tokenized ids are checked against its vocabulary
     */
    public static PreferenceDataset load(Path file, ColumnMapping columns, Pairing pairing, Tokenizer tokenizer,
                                         Truncation truncation) {
        List<DatasetRecord> records = DatasetReader.read(file);
        PreferenceRecords.Parsed parsed = new PreferenceRecords(columns, pairing).parse(records);
        List<PreferenceExample> raw = new ArrayList<>(parsed.pretokenized());
        int mismatches = 0;
        if (!parsed.pairs().isEmpty()) {
            if (tokenizer == null) {
                throw new InputException(file + ": text preference data needs a tokenizer (--tokenizer or the model's folder)");
            }
            PreferenceTokenizer pt = new PreferenceTokenizer(tokenizer);
            for (PreferencePair p : parsed.pairs()) {
                raw.add(pt.tokenize(p));
            }
            mismatches = pt.mismatches();
        } else if (tokenizer != null) {
            for (PreferenceExample e : raw) {
                e.checkVocabulary(tokenizer.vocabSize());
            }
        }
        List<PreferenceExample> examples = new ArrayList<>(raw.size());
        int dropped = 0;
        int truncated = 0;
        for (PreferenceExample e : raw) {
            PreferenceExample t = truncation.apply(e);
            if (t == null) {
                dropped++;
            } else {
                truncated += t == e ? 0 : 1;
                examples.add(t);
            }
        }
        int pairs = parsed.pairs().size() + parsed.pretokenized().size();
        return new PreferenceDataset(List.copyOf(examples), new Report(records.size(), pairs, mismatches, dropped, truncated));
    }
}
