package align4j.train;

import align4j.InputException;
import align4j.data.DatasetRecord;
import align4j.eval.RewardFunctions;
import align4j.eval.Sample;
import align4j.eval.Scorer;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores completions: one number per rollout. Either a reward model (a folder) or a programmatic
 * reward chosen by name from {@link RewardFunctions}, e.g. {@code target-token:ID}: the fraction of completion
 * tokens equal to ID (in [0, 1]; the optimum 1 is a completion made only of ID, which RL tests use), or
 * {@code accuracy}, which reads the prompt's dataset record ({@link Rollouts#records()}). Several at once, weighted:
 * {@link RewardSum}.
 */
@FunctionalInterface
public interface RewardFunction {
    /** score[i] for rollout i. */
    float[] score(Rollouts rollouts);

    /**
     * score(rollouts), also adding per-function metrics to stats (TRL's {@code rewards/<name>/mean} and
     * {@code /std}); a single function adds none.
     */
    default float[] score(Rollouts rollouts, Stats stats) {
        return score(rollouts);
    }

    /**
     * Throws {@link InputException} naming the record and the column when a record lacks a column the function
     * reads, so a run stops before its first step rather than at the record; records may be empty (none kept).
     */
    default void check(java.util.List<DatasetRecord> records) {}

    /**
     * A reward model's score of prompt + completion (read at the last token, {@link RewardModel#score});
     * forward only, so the reward model never gets gradients.
     */
    static RewardFunction of(RewardModel model) {
        return r -> {
            double[] s = model.score(Arrays.asList(r.prompts()), Arrays.asList(r.completions()));
            float[] out = new float[s.length];
            for (int i = 0; i < s.length; i++) out[i] = (float) s[i];
            return out;
        };
    }

    /** The reward that counts completion tokens equal to {@code target} ({@code target-token:ID}). */
    static RewardFunction targetToken(int target) {
        return programmatic(RewardFunctions.TARGET_TOKEN + target, Integer.MAX_VALUE, null);
    }

    /** A programmatic reward of token ids only ({@code target-token:ID}); see the overload with a tokenizer. */
    static RewardFunction programmatic(String spec, int vocabSize) {
        return programmatic(spec, vocabSize, null);
    }

    /**
     * A programmatic reward by name from the one registry, {@link RewardFunctions} ({@code target-token:ID},
     * {@code length}, {@code word-count}, …); functions of text decode each completion with {@code tokenizer},
     * which they therefore need. Throws naming the accepted names.
     */
    static RewardFunction programmatic(String spec, int vocabSize, Tokenizer tokenizer) {
        Scorer scorer = RewardFunctions.get(spec);
        if (RewardFunctions.needsReference(spec)) {
            throw new InputException("reward function '" + spec + "' compares with a reference completion, which prompt datasets for RL do not have");
        }
        boolean text = RewardFunctions.needsText(spec);
        if (text && tokenizer == null) {
            throw new InputException("reward function '" + spec + "' scores text: the model folder (or --tokenizer) needs a tokenizer.json");
        }
        if (spec.startsWith(RewardFunctions.TARGET_TOKEN)) {
            int id = Integer.parseInt(spec.substring(RewardFunctions.TARGET_TOKEN.length()).trim());
            if (id >= vocabSize) {
                throw new InputException("reward function '" + spec + "': token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
        List<String> columns = RewardFunctions.columns(spec);
        return new RewardFunction() {
            @Override
            public float[] score(Rollouts r) {
                List<Sample> samples = new ArrayList<>(r.size());
                for (int i = 0; i < r.size(); i++) {
                    int[] c = r.completions()[i];
                    DatasetRecord rec = r.records() == null ? null : r.records()[i];
                    samples.add(new Sample(text ? promptText(rec, r.prompts()[i], tokenizer) : null, r.prompts()[i],
                            text ? tokenizer.decode(c, true) : null, c, null, rec));
                }
                double[] s = scorer.score(samples);
                float[] out = new float[s.length];
                for (int i = 0; i < s.length; i++) out[i] = (float) s[i];
                return out;
            }

            @Override
            public void check(List<DatasetRecord> records) {
                if (columns.isEmpty()) return;
                if (records.isEmpty()) {
                    throw new InputException("reward function '" + spec + "' reads the column '" + String.join("' or '", columns)
                            + "' of each prompt's dataset record, and these prompts came without records");
                }
                for (DatasetRecord rec : records) RewardFunctions.checkColumns(spec, rec);
            }
        };
    }

    /** The prompt as a reward sees it: the record's 'prompt' when it is text, else the decoded prompt tokens. */
    private static String promptText(DatasetRecord rec, int[] ids, Tokenizer tokenizer) {
        if (rec != null && rec.json().path("prompt").isTextual()) return rec.json().get("prompt").asText();
        return tokenizer.decode(ids, true);
    }
}
