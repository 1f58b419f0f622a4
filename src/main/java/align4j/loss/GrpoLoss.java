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
    public record Config(LossType lossType, double epsilon, double epsilonHigh, double beta, int maxCompletionLength) {}

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
        int seqs = offsets.length - 1, tokens = offsets[seqs] - offsets[0];
        for (int s = 0; s < seqs; s++) {
            int len = offsets[s + 1] - offsets[s];
            double weight = switch (type) {
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
        if (config.beta() != 0 && refLogp == null) throw new IllegalArgumentException("beta ≠ 0 needs reference log-probs");
        int seqs = offsets.length - 1, n = offsets[seqs] - offsets[0];
        double[] w = new double[offsets[seqs]];
        tokenWeights(config.lossType(), offsets, config.maxCompletionLength(), accumulatedTokens, w);
        double epsLow = config.epsilon(), epsHigh = config.epsilonHigh(), beta = config.beta();
        double loss = 0, klSum = 0;
        int low = 0, high = 0;
        for (int s = 0; s < seqs; s++) {
            double a = seqAdvantages[s];
            for (int t = offsets[s]; t < offsets[s + 1]; t++) {
                double logRatio = oldLogp == null ? 0.0 : (double) newLogp[t] - oldLogp[t];
                double ratio = Math.exp(logRatio);
                double l = PpoClipLoss.tokenLoss(logRatio, a, epsLow, epsHigh);
                double g = PpoClipLoss.tokenGradient(logRatio, a, epsLow, epsHigh);
                if (beta != 0) {
                    double k = KlEstimators.k3(newLogp[t], refLogp[t]);
                    l += beta * k;
                    g += beta * KlEstimators.gradLogp(KlEstimators.Estimator.K3, newLogp[t], refLogp[t]);
                    klSum += k;
                }
                loss += w[t] * l;
                if (dNewLogp != null) dNewLogp[t] += (float) (w[t] * g);
                if (ratio < 1 - epsLow && a < 0) low++;
                if (ratio > 1 + epsHigh && a > 0) high++;
            }
        }
        double tokens = Math.max(n, 1);
        return new Stats(loss, klSum / tokens, low / tokens, high / tokens, (low + high) / tokens);
    }
}
