package align4j.api;

import align4j.InputException;
import align4j.data.DatasetAudit;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.eval.LabelNoise;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * A preference dataset's audit before training ({@code align4j audit-data}): {@link DatasetAudit}'s findings with the
 * model's tokenizer and, given a reward model, the {@link LabelNoise} estimate.
 *
 * <pre>{@code
 * DataAudit.Report r = DataAudit.run(Path.of("pairs.jsonl"), PreferenceData.Settings.defaults(), tok, null, null);
 * System.out.print(r.toText());
 * }</pre>
 */
public final class DataAudit {
    private DataAudit() {}

    /** @param labelNoise null without a reward model */
    public record Report(DatasetAudit.Result data, LabelNoise labelNoise) {
        public String toText() {
            return data.toText() + (labelNoise == null ? "" : labelNoise.toText());
        }

        /** The data's JSON with label_noise among the findings when there is one. */
        public ObjectNode toJson() {
            ObjectNode json = data.toJson();
            if (labelNoise != null) ((ObjectNode) json.get("findings")).set("label_noise", labelNoise.toJson());
            return json;
        }
    }

    /**
     * @param tokenizer   the model's tokenizer (null: pre-tokenized data only)
     * @param rewardModel null for no label-noise estimate
     * @param rmTokenizer the reward model's tokenizer (null: the model's); the pairs are tokenized and truncated with
     *                    it as training would see them, identical records left out
     */
    public static Report run(Path file, PreferenceData.Settings settings, Tokenizer tokenizer, RewardModel rewardModel,
                             Tokenizer rmTokenizer) {
        DatasetAudit.Result data = DatasetAudit.run(file, settings, tokenizer);
        if (rewardModel == null) return new Report(data, null);
        Pairs pairs = DatasetAudit.pairs(file, settings, rmTokenizer != null ? rmTokenizer : tokenizer);
        int vocab = rewardModel.config().vocabSize();
        for (int i = 0; i < pairs.size(); i++) {
            for (int[] ids : new int[][] {pairs.prompts()[i], pairs.chosen()[i], pairs.rejected()[i]}) {
                for (int id : ids) {
                    if (id < 0 || id >= vocab) {
                        throw new InputException(pairs.sources()[i] + ": token id " + id + " is outside the reward model's vocabulary (0.."
                                + (vocab - 1) + "); give the reward model folder its tokenizer.json");
                    }
                }
            }
        }
        return new Report(data, LabelNoise.of(rewardModel, pairs));
    }
}
