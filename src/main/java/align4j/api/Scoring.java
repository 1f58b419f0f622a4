package align4j.api;

import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.DatasetReader;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.data.SequenceDataset;
import align4j.data.SequenceExample;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reward model's scores of a dataset's records: preference records get {@code chosen_score} and
 * {@code rejected_score}, prompt/completion records get {@code score}. Text is tokenized as for training (EOS
 * appended to completions).
 *
 * <pre>{@code
 * RewardModel rm = RewardModelFolder.load(Path.of("rm"));
 * List<ObjectNode> scored = Scoring.pairs(rm, PreferenceData.load(file, PreferenceData.Settings.defaults(), tok, vocab));
 * }</pre>
 */
public final class Scoring {
    private Scoring() {}

    /** Whether a file holds preference records (chosen/rejected, their ids, or listwise completions) rather than single completions. */
    public static boolean isPreferenceData(Path file, ColumnMapping cols) {
        var first = DatasetReader.read(file).stream().findFirst();
        if (first.isEmpty()) throw new InputException(file + ": no records");
        ObjectNode o = first.get().json();
        // prompt/completion records are scored one by one even when they carry a "score" (e.g. from an earlier run)
        return o.has(cols.column("chosen")) || o.has(cols.column("chosen_input_ids")) || o.has(cols.column("completions"));
    }

    /** Each preference record plus chosen_score and rejected_score. */
    public static List<ObjectNode> pairs(RewardModel rm, PreferenceData data) {
        Pairs p = data.pairs();
        RewardModel.PairScores s = rm.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
        List<ObjectNode> out = new ArrayList<>(p.size());
        for (int i = 0; i < p.size(); i++) {
            out.add(data.records().get(i).deepCopy().put("chosen_score", s.chosen()[i]).put("rejected_score", s.rejected()[i]));
        }
        return out;
    }

    /**
     * Each prompt/completion record of file (text or messages with tok, or prompt_input_ids + completion_input_ids)
     * plus its score; maxLength ≤ 0 keeps every token.
     */
    public static List<ObjectNode> completions(RewardModel rm, Path file, ColumnMapping cols, Tokenizer tok, int maxLength) {
        int vocab = rm.config().vocabSize();
        List<SequenceExample> ex = SequenceDataset.load(file, cols, tok, new SequenceDataset.LossOptions(true, false), maxLength);
        List<int[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
        for (SequenceExample e : ex) {
            for (int id : e.ids()) {
                if (id >= vocab) throw new InputException(e.source() + ": token id " + id + " is outside the model's vocabulary (" + vocab + ")");
            }
            if (e.ids().length == 0) throw new InputException(e.source() + ": empty sequence, nothing to score");
            prompts.add(e.prompt());
            completions.add(e.completion());
        }
        double[] s = rm.score(prompts, completions);
        List<ObjectNode> out = new ArrayList<>(ex.size());
        for (int i = 0; i < ex.size(); i++) out.add(ex.get(i).record().deepCopy().put("score", s[i]));
        return out;
    }
}
