package align4j.loss;

import align4j.InputException;
import java.util.Locale;

/**
 * Sequence-level advantages without a value model, from the rewards of G completions sampled per
 * prompt. Rewards are laid out group after group: completions [g·G, (g+1)·G) share prompt g.
 *
 * <ul>
 *   <li>GRPO (Shao et al. 2024, arXiv 2402.03300 §4.1.2; TRL GRPOTrainer {@code _generate_and_score_completions}):
 *       A_i = (r_i − mean_group(r)) / (std + 1e-4), std the unbiased (Bessel) standard deviation of the
 *       group ({@code scale_rewards="group"}), of the whole batch ({@code "batch"}, the mean stays
 *       per group), or no division ({@code "none"}, Dr. GRPO, Liu et al. 2025, arXiv 2503.20783).</li>
 *   <li>RLOO (Ahmadian et al. 2024, arXiv 2402.14740; TRL RLOOTrainer): A_i = r_i − (1/(G−1))·Σ_{j≠i} r_j,
 *       optionally whitened over the batch, (A − mean)/(std + 1e-4) ({@code normalize_advantages}).</li>
 * </ul>
 */
public final class GrpoAdvantages {
    /** TRL's ε in the denominator of the normalised advantage. */
    public static final double STD_EPS = 1e-4;

    private GrpoAdvantages() {}

    /** TRL's {@code scale_rewards}. */
    public enum ScaleRewards {
        GROUP, BATCH, NONE;

        public static ScaleRewards parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "group", "true" -> GROUP;
                case "batch" -> BATCH;
                case "none", "false" -> NONE;
                default -> throw new InputException("unknown scale_rewards '" + name + "' (expected group, batch or none)");
            };
        }
    }

    /**
     * advantages[i] for each completion; {@code rewardMean} = mean reward (TRL {@code reward});
     * {@code rewardStd} = mean over completions of the std used ({@code reward_std}, the group std for
     * group/none); {@code fracRewardZeroStd} = fraction of groups whose rewards all coincide.
     */
    public record Result(float[] advantages, double rewardMean, double rewardStd, double fracRewardZeroStd) {}

    public static Result grpo(float[] rewards, int groupSize, ScaleRewards scale) {
        int groups = checkGroups(rewards, groupSize);
        float[] adv = new float[rewards.length];
        double batchStd = scale == ScaleRewards.BATCH ? std(rewards, 0, rewards.length) : 0;
        double total = 0, stdSum = 0;
        for (int g = 0; g < groups; g++) {
            int o = g * groupSize;
            double mean = mean(rewards, o, groupSize);
            double std = scale == ScaleRewards.BATCH ? batchStd : std(rewards, o, groupSize);
            for (int i = o; i < o + groupSize; i++) {
                double a = rewards[i] - mean;
                adv[i] = (float) (scale == ScaleRewards.NONE ? a : a / (std + STD_EPS));
            }
            total += mean * groupSize;
            stdSum += std * groupSize;
        }
        return new Result(adv, total / rewards.length, stdSum / rewards.length, fracRewardZeroStd(rewards, groupSize));
    }

    /** RLOO's leave-one-out advantages; needs G ≥ 2. */
    public static float[] rloo(float[] rewards, int groupSize, boolean normalize) {
        int groups = checkGroups(rewards, groupSize);
        if (groupSize < 2) throw new IllegalArgumentException("RLOO needs at least 2 completions per prompt, got " + groupSize);
        float[] adv = new float[rewards.length];
        for (int g = 0; g < groups; g++) {
            int o = g * groupSize;
            double sum = 0;
            for (int i = o; i < o + groupSize; i++) sum += rewards[i];
            for (int i = o; i < o + groupSize; i++) adv[i] = (float) (rewards[i] - (sum - rewards[i]) / (groupSize - 1));
        }
        if (normalize) {
            double mean = mean(adv, 0, adv.length), std = std(adv, 0, adv.length);
            for (int i = 0; i < adv.length; i++) adv[i] = (float) ((adv[i] - mean) / (std + STD_EPS));
        }
        return adv;
    }

    /**
     * Fraction of groups whose reward std is zero: no completion in them gets a learning signal (TRL
     * {@code frac_reward_zero_std}; TRL tests |std| ≤ 1e-8 with torch.isclose, and in
     * {@code scale_rewards="batch"} mode tests the batch std instead, which this always-per-group count
     * does not copy).
     */
    public static double fracRewardZeroStd(float[] rewards, int groupSize) {
        int groups = checkGroups(rewards, groupSize), zero = 0;
        for (int g = 0; g < groups; g++) if (std(rewards, g * groupSize, groupSize) <= 1e-8) zero++;
        return (double) zero / groups;
    }

    private static int checkGroups(float[] rewards, int groupSize) {
        if (groupSize < 1 || rewards.length == 0 || rewards.length % groupSize != 0)
            throw new IllegalArgumentException(rewards.length + " rewards do not split into groups of " + groupSize);
        return rewards.length / groupSize;
    }

    private static double mean(float[] x, int off, int n) {
        double s = 0;
        for (int i = off; i < off + n; i++) s += x[i];
        return s / n;
    }

    /** Unbiased standard deviation (torch.std's default); 0 for a single value, where torch gives NaN. */
    private static double std(float[] x, int off, int n) {
        if (n < 2) return 0;
        double m = mean(x, off, n), ss = 0;
        for (int i = off; i < off + n; i++) ss += (x[i] - m) * (x[i] - m);
        return Math.sqrt(ss / (n - 1));
    }
}
