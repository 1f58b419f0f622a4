package align4j.loss;

import align4j.InputException;
import java.util.Locale;

/**
 * The GRPO policy loss as TRL's GRPOTrainer {@code _compute_loss} writes it. Per completion token, with
 * the sequence's advantage A_i ({@link GrpoAdvantages}), ρ = π_θ/π_old and ρ_ref = π_ref/π_θ:
 * <pre>
 *   ℓ_t = −min(ρ·A_i, clip(ρ, 1 − ε_low, 1 + ε_high)·A_i) + β·k3,   k3 = ρ_ref − 1 − log ρ_ref
 * </pre>
 * (the first term is {@link PpoClipLoss}'s; k3 is {@link KlEstimators#k3}). The loss is Σ_t w_t·ℓ_t
 * with token weights set by {@code loss_type} (G sequences here means the sequences in the batch):
 * <ul>
 *   <li>{@code grpo}: w = 1/(|o_i|·B), the mean over each sequence's tokens, then over the B sequences
 *       (Shao et al. 2024, eq. 3);</li>
 *   <li>{@code bnpo}: w = 1/(tokens in this batch);</li>
 *   <li>{@code dapo}: w = 1/(tokens in the whole accumulated batch), TRL's {@code num_items_in_batch}
 *       (Yu et al. 2025, arXiv 2503.14476, token-level loss);</li>
 *   <li>{@code dr_grpo}: w = 1/(B·max_completion_length) (Liu et al. 2025, arXiv 2503.20783).</li>
 * </ul>
 * Options of TRL's {@code _compute_loss}, each off by default:
 * <ul>
 *   <li>{@code importance_sampling_level="sequence"} (GSPO, Zheng et al. 2025, arXiv 2507.18071): every token of
 *       sequence i uses ρ_i = exp(s_i), s_i = mean_t(log π_θ − log π_old) over its tokens (TRL:
 *       {@code (log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)}), so ∂ℓ_t/∂log π_θ,u = ℓ'(s_i)/|o_i| for
 *       every token u of the sequence; the clip fractions then count sequences, as TRL's {@code masked_batch_mean}
 *       of a (B, 1) tensor;</li>
 *   <li>masked sequences ({@code mask_truncated_completions}: TRL zeroes their {@code completion_mask}): weight 0,
 *       and they leave the token counts (bnpo's and dapo's normalisers, the metric means) but not B;</li>
 *   <li>an entropy mask ({@code top_entropy_quantile} &lt; 1, Wang et al. 2025, arXiv 2506.01939): tokens outside
 *       it keep their β·k3 term but lose the clipped-ratio term ({@code per_token_loss * entropy_mask} before
 *       the KL is added).</li>
 * </ul>
 * Layout: packed sequences, sequence i owns tokens [offsets[i], offsets[i+1]) ({@link Gae}).
 */
public final class GrpoLoss {
    private GrpoLoss() {}

    /** TRL's {@code loss_type} values whose aggregation this class implements. */
    public enum LossType {
        GRPO, BNPO, DAPO, DR_GRPO;

        public static LossType parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "grpo" -> GRPO;
                case "bnpo" -> BNPO;
                case "dapo" -> DAPO;
                case "dr_grpo" -> DR_GRPO;
                default -> throw new InputException("unknown GRPO loss_type '" + name + "' (expected grpo, bnpo, dapo or dr_grpo)");
            };
        }
    }

    /**
     * TRL's GRPOConfig names: {@code loss_type}, {@code epsilon} (ε_low), {@code epsilon_high},
     * {@code beta}, {@code max_completion_length} (used by dr_grpo).
     */
    public record Config(LossType lossType, double epsilon, double epsilonHigh, double beta, int maxCompletionLength,
                         ImportanceSamplingLevel importanceSamplingLevel) {
        /** Token-level ratios (TRL's default {@code importance_sampling_level="token"}). */
        public Config(LossType lossType, double epsilon, double epsilonHigh, double beta, int maxCompletionLength) {
            this(lossType, epsilon, epsilonHigh, beta, maxCompletionLength, ImportanceSamplingLevel.TOKEN);
        }
    }

    /** TRL's {@code importance_sampling_level}: one ratio per token, or one per sequence (GSPO). */
    public enum ImportanceSamplingLevel {
        TOKEN, SEQUENCE;

        public static ImportanceSamplingLevel parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "token" -> TOKEN;
                case "sequence" -> SEQUENCE;
                default -> throw new InputException("unknown importance_sampling_level '" + name + "' (expected token or sequence)");
            };
        }
    }

    /**
     * Token means, TRL's names: {@code kl} (mean k3, 0 when β = 0), {@code clip_ratio/low_mean}
     * (ρ &lt; 1 − ε_low with A &lt; 0), {@code clip_ratio/high_mean} (ρ &gt; 1 + ε_high with A &gt; 0),
     * {@code clip_ratio/region_mean} (either).
     */
    public record Stats(double loss, double kl, double clipLow, double clipHigh, double clipRegion) {}

    /**
     * Writes w_t for every packed token. {@code accumulatedTokens} is the dapo normaliser (tokens over
     * all micro-batches of the optimizer step); it is ignored by the other types.
     */
    public static void tokenWeights(LossType type, int[] offsets, int maxCompletionLength, long accumulatedTokens, double[] w) {
        tokenWeights(type, offsets, null, maxCompletionLength, accumulatedTokens, w);
    }

    /** As above with masked[s] sequences (null: none) weighted 0 and left out of bnpo's token count. */
    public static void tokenWeights(LossType type, int[] offsets, boolean[] masked, int maxCompletionLength, long accumulatedTokens,
                                    double[] w) {
        int seqs = offsets.length - 1, tokens = keptTokens(offsets, masked);
        for (int s = 0; s < seqs; s++) {
            int len = offsets[s + 1] - offsets[s];
            double weight = masked != null && masked[s] ? 0.0 : switch (type) {
                case GRPO -> 1.0 / ((double) Math.max(len, 1) * seqs);
                case BNPO -> 1.0 / Math.max(tokens, 1);
                case DAPO -> 1.0 / Math.max(accumulatedTokens, 1);
                case DR_GRPO -> 1.0 / ((double) seqs * maxCompletionLength);
            };
            for (int t = offsets[s]; t < offsets[s + 1]; t++) w[t] = weight;
        }
    }

    /**
     * Returns the loss Σ_t w_t·ℓ_t and the stats, and accumulates w_t·∂ℓ_t/∂log π_θ into dNewLogp (null to
     * skip). oldLogp null means π_old = π_θ (TRL's {@code num_iterations = 1}: ρ = 1 in value, gradient
     * −A); refLogp may be null only when β = 0. ∂k3/∂log π_θ = 1 − ρ_ref.
     */
    public static Stats compute(float[] newLogp, float[] oldLogp, float[] refLogp, float[] seqAdvantages,
                                int[] offsets, Config config, long accumulatedTokens, float[] dNewLogp) {
        return compute(newLogp, oldLogp, refLogp, seqAdvantages, offsets, null, null, config, accumulatedTokens, dNewLogp);
    }

    /**
     * As above, with masked[s] true for sequences that take no part (null: none) and policyTokens[t] false for
     * tokens whose clipped-ratio term is dropped (the entropy mask; null: none). accumulatedTokens then counts
     * the unmasked tokens only. The stats are means over the unmasked tokens (over the unmasked sequences for the
     * clip fractions at sequence level).
     */
    public static Stats compute(float[] newLogp, float[] oldLogp, float[] refLogp, float[] seqAdvantages, int[] offsets,
                                boolean[] masked, boolean[] policyTokens, Config config, long accumulatedTokens, float[] dNewLogp) {
        if (config.beta() != 0 && refLogp == null) throw new IllegalArgumentException("beta ≠ 0 needs reference log-probs");
        int seqs = offsets.length - 1, n = keptTokens(offsets, masked);
        double[] w = new double[offsets[seqs]];
        tokenWeights(config.lossType(), offsets, masked, config.maxCompletionLength(), accumulatedTokens, w);
        double epsLow = config.epsilon(), epsHigh = config.epsilonHigh(), beta = config.beta();
        boolean sequenceLevel = config.importanceSamplingLevel() == ImportanceSamplingLevel.SEQUENCE;
        double loss = 0, klSum = 0;
        int low = 0, high = 0, keptSeqs = 0;
        for (int s = 0; s < seqs; s++) {
            if (masked != null && masked[s]) continue;
            keptSeqs++;
            double a = seqAdvantages[s];
            double seqLogRatio = sequenceLevel && oldLogp != null ? meanLogRatio(newLogp, oldLogp, offsets[s], offsets[s + 1]) : 0.0;
            double policyWeight = 0; // sequence level: Σ_t w_t over the tokens that keep the ratio term
            for (int t = offsets[s]; t < offsets[s + 1]; t++) {
                double logRatio = sequenceLevel ? seqLogRatio : oldLogp == null ? 0.0 : (double) newLogp[t] - oldLogp[t];
                double ratio = Math.exp(logRatio);
                boolean policyTerm = policyTokens == null || policyTokens[t];
                double l = policyTerm ? PpoClipLoss.tokenLoss(logRatio, a, epsLow, epsHigh) : 0.0;
                double g = policyTerm && !sequenceLevel ? PpoClipLoss.tokenGradient(logRatio, a, epsLow, epsHigh) : 0.0;
                if (policyTerm) policyWeight += w[t];
                if (beta != 0) {
                    double k = KlEstimators.k3(newLogp[t], refLogp[t]);
                    l += beta * k;
                    g += beta * KlEstimators.gradLogp(KlEstimators.Estimator.K3, newLogp[t], refLogp[t]);
                    klSum += k;
                }
                loss += w[t] * l;
                if (dNewLogp != null) dNewLogp[t] += (float) (w[t] * g);
                if (!sequenceLevel && ratio < 1 - epsLow && a < 0) low++;
                if (!sequenceLevel && ratio > 1 + epsHigh && a > 0) high++;
            }
            if (sequenceLevel) {
                int len = offsets[s + 1] - offsets[s];
                double gs = PpoClipLoss.tokenGradient(seqLogRatio, a, epsLow, epsHigh) * policyWeight / len;
                if (dNewLogp != null) for (int t = offsets[s]; t < offsets[s + 1]; t++) dNewLogp[t] += (float) gs;
                double ratio = Math.exp(seqLogRatio);
                if (ratio < 1 - epsLow && a < 0) low++;
                if (ratio > 1 + epsHigh && a > 0) high++;
            }
        }
        double tokens = Math.max(n, 1), units = sequenceLevel ? Math.max(keptSeqs, 1) : tokens;
        return new Stats(loss, klSum / tokens, low / units, high / units, (low + high) / units);
    }

    /** Completion tokens of the sequences not masked (all when masked is null). */
    public static int keptTokens(int[] offsets, boolean[] masked) {
        int seqs = offsets.length - 1;
        if (masked == null) return offsets[seqs] - offsets[0];
        int n = 0;
        for (int s = 0; s < seqs; s++) if (!masked[s]) n += offsets[s + 1] - offsets[s];
        return n;
    }

    /** s_i = mean over the sequence's tokens of log π_θ − log π_old (GSPO's log importance ratio). */
    private static double meanLogRatio(float[] newLogp, float[] oldLogp, int from, int to) {
        double sum = 0;
        for (int t = from; t < to; t++) sum += (double) newLogp[t] - oldLogp[t];
        return sum / Math.max(to - from, 1);
    }
}
