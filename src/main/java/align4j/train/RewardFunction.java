package align4j.train;

import align4j.eval.RewardModel;
import java.util.Arrays;
import java.util.Locale;

/**
 * Scores completions: one number per rollout. Either a reward model (a folder) or a programmatic
 * reward chosen by name, for tests and the quickstart, whose optimum is known in closed form:
 * <ul>
 *   <li>{@code target-token:ID}: the fraction of completion tokens equal to ID (in [0, 1]; the optimum 1
 *       is a completion made only of ID);</li>
 * </ul>
 */
@FunctionalInterface
public interface RewardFunction {
    /** score[i] for rollout i. */
    float[] score(Rollouts rollouts);

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

    /** The reward that counts completion tokens equal to {@code target}. */
    static RewardFunction targetToken(int target) {
        return r -> {
            float[] s = new float[r.size()];
            for (int i = 0; i < r.size(); i++) {
                int[] c = r.completions()[i];
                int hits = 0;
                for (int t : c) if (t == target) hits++;
                s[i] = (float) hits / c.length;
            }
            return s;
        };
    }

    /** A programmatic reward by name ({@code target-token:ID}); throws naming the accepted forms. */
    static RewardFunction programmatic(String spec, int vocabSize) {
        String s = spec.toLowerCase(Locale.ROOT);
        if (s.startsWith("target-token:")) {
            int id;
            try {
                id = Integer.parseInt(s.substring("target-token:".length()).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("reward function '" + spec + "': the token id after 'target-token:' is not an integer");
            }
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("reward function '" + spec + "': token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            return targetToken(id);
        }
        throw new IllegalArgumentException("unknown reward function '" + spec + "' (expected target-token:ID)");
    }
}
