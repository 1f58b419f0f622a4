package align4j.loss;

/**
 * Per-token rewards of RLHF-PPO (Ziegler et al. 2019, arXiv 1909.08593 §2.2; Stiennon et al. 2020;
 * TRL's PPO trainer step "4. compute rewards"): every completion token pays the KL penalty to the
 * reference, and the reward model's score arrives at the sequence's last real token:
 * <pre>
 *   r_t = −β·k(log π(x_t), log π_ref(x_t))       (k = k1 or k3, {@link KlEstimators})
 *   r_{T−1} += score
 * </pre>
 * Differences from TRL: TRL adds the score at index {@code sequence_length + 1} of a padded row when
 * that index exists (one past the last real token); here the score lands on the last real token, the
 * convention of OpenRLHF. The missing-EOS penalty is subtracted from the score by
 * the caller before shaping, as TRL does.
 *
 * <p>Layout: packed sequences, sequence i owns tokens [offsets[i], offsets[i+1]) ({@link Gae}).
 */
public final class PpoRewards {
    private PpoRewards() {}

    /**
     * Sequence-level means, named as TRL's PPO trainer logs them:
     * {@code objective/kl} = mean_i Σ_t k_t; {@code objective/non_score_reward} = mean_i Σ_t r_t before
     * the score; {@code objective/rlhf_reward} = mean score + non_score_reward;
     * {@code objective/scores} = mean score; {@code objective/entropy} = mean_i Σ_t −log π(x_t)
     * (a one-sample estimate of the sequence entropy).
     */
    public record Stats(double kl, double nonScoreReward, double rlhfReward, double scores, double entropy) {}

    /** Writes rewards[t] for every packed token and returns the stats. */
    public static Stats shape(float[] logp, float[] refLogp, int[] offsets, float[] scores, double klCoef,
                              KlEstimators.Estimator estimator, float[] rewards) {
        int seqs = offsets.length - 1;
        double klSum = 0, scoreSum = 0, entropySum = 0;
        for (int s = 0; s < seqs; s++) {
            int start = offsets[s], end = offsets[s + 1];
            if (end <= start) throw new IllegalArgumentException("sequence " + s + " has no completion tokens");
            for (int t = start; t < end; t++) {
                double k = KlEstimators.estimate(estimator, logp[t], refLogp[t]);
                klSum += k;
                entropySum -= logp[t];
                rewards[t] = (float) (-klCoef * k + (t == end - 1 ? scores[s] : 0.0));
            }
            scoreSum += scores[s];
        }
        double kl = klSum / seqs, nonScore = -klCoef * kl, score = scoreSum / seqs;
        return new Stats(kl, nonScore, score + nonScore, score, entropySum / seqs);
    }
}
