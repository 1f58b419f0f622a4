package align4j.loss;

/**
 * The PPO-clip policy loss (Schulman et al. 2017, arXiv 1707.06347, eq. 7, negated into a loss) per
 * token, with ratio ρ = exp(log π_θ − log π_old):
 * <pre>
 *   ℓ_t = max(−A_t·ρ_t, −A_t·clip(ρ_t, 1 − ε_low, 1 + ε_high))
 * </pre>
 * as TRL's PPO trainer ({@code pg_losses}, {@code pg_losses2}, {@code cliprange}) and GRPO trainer
 * ({@code epsilon}, {@code epsilon_high}) write it. Symmetric PPO has ε_low = ε_high = ε.
 *
 * <p>Gradient with respect to log π_θ (dρ/dlog π_θ = ρ): −A·ρ where the unclipped term is the max or
 * ρ lies inside [1 − ε_low, 1 + ε_high]; 0 where the clipped constant wins. At a tie between the
 * branches with ρ outside the range, A = 0 and the gradient is 0 either way.
 */
public final class PpoClipLoss {
    private PpoClipLoss() {}

    /**
     * Means over the n tokens, TRL's names: {@code policy/clipfrac_avg} = mean 1[ℓ_clipped > ℓ_unclipped],
     * {@code policy/approxkl_avg} = ½·mean((log ρ)²), {@code val/ratio} = mean ρ. {@code loss} is
     * scale·Σ ℓ_t ({@code loss/policy_avg} when scale = 1/n).
     */
    public record Stats(double loss, double clipFrac, double approxKl, double ratioMean) {}

    /** ℓ for one token from its log-ratio log π_θ − log π_old. */
    public static double tokenLoss(double logRatio, double advantage, double epsLow, double epsHigh) {
        double ratio = Math.exp(logRatio);
        double clipped = Math.clamp(ratio, 1 - epsLow, 1 + epsHigh);
        return Math.max(-advantage * ratio, -advantage * clipped);
    }

    /** ∂ℓ/∂log π_θ for one token. */
    public static double tokenGradient(double logRatio, double advantage, double epsLow, double epsHigh) {
        double ratio = Math.exp(logRatio);
        double clipped = Math.clamp(ratio, 1 - epsLow, 1 + epsHigh);
        boolean unclippedWins = -advantage * ratio >= -advantage * clipped;
        return unclippedWins || clipped == ratio ? -advantage * ratio : 0.0;
    }

    /**
     * Over tokens [0, n): returns the loss scale·Σ ℓ_t and the stats, and accumulates
     * scale·∂ℓ_t/∂log π_θ into dNewLogp[t] (null to skip). scale = 1/n gives TRL's masked mean.
     */
    public static Stats compute(float[] newLogp, float[] oldLogp, float[] advantages, int n,
                                double epsLow, double epsHigh, double scale, float[] dNewLogp) {
        double loss = 0, clipped = 0, sqLogRatio = 0, ratioSum = 0;
        for (int t = 0; t < n; t++) {
            double logRatio = (double) newLogp[t] - oldLogp[t];
            double a = advantages[t], ratio = Math.exp(logRatio);
            double unclippedLoss = -a * ratio, clippedLoss = -a * Math.clamp(ratio, 1 - epsLow, 1 + epsHigh);
            loss += Math.max(unclippedLoss, clippedLoss);
            if (clippedLoss > unclippedLoss) clipped++;
            sqLogRatio += logRatio * logRatio;
            ratioSum += ratio;
            if (dNewLogp != null) dNewLogp[t] += (float) (scale * tokenGradient(logRatio, a, epsLow, epsHigh));
        }
        return new Stats(scale * loss, clipped / n, 0.5 * sqLogRatio / n, ratioSum / n);
    }
}
