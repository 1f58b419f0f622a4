package align4j.loss;

/**
 * PPO with an adaptive KL penalty instead of clipping, "PPO-KLPEN" (Schulman et al. 2017,
 * arXiv 1707.06347 §4, eq. 8; docs/references.md#ppo):
 * <pre>
 *   L^KLPEN(θ) = Ê_t[ ρ_t·A_t − β·KL(π_old(·|s_t) ‖ π_θ(·|s_t)) ],   ρ_t = π_θ(a_t|s_t)/π_old(a_t|s_t)
 * </pre>
 * minimised here as its negative. After each policy update, with d = Ê_t[KL(π_old‖π_θ)]:
 * d &lt; d_targ/1.5 → β ← β/2; d &gt; 1.5·d_targ → β ← 2β ({@link #adaptBeta}). Neither TRL nor
 * OpenRLHF implements this loss.
 *
 * <p>The KL can be estimated from the sampled tokens (they come from π_old) with k1/k2/k3 where
 * k = k(log π_old, log π_θ) ({@link #compute}), or taken exactly over the vocabulary from logits
 * ({@link #surrogate} plus {@link KlEstimators#fromLogits} with p = π_old, q = π_θ). With k1 or k3 the
 * sampled estimate's gradient is unbiased for ∇KL(π_old‖π_θ), because the sampling distribution π_old
 * does not depend on θ.
 */
public final class PpoKlPenalty {
    private PpoKlPenalty() {}

    /** loss = scale·Σ ℓ_t; kl = mean KL estimate; surrogate = mean ρ·A. */
    public record Stats(double loss, double kl, double surrogate) {}

    /**
     * Over tokens [0, n): ℓ_t = −ρ_t·A_t + β·k(log π_old, log π_θ). Accumulates scale·∂ℓ_t/∂log π_θ =
     * scale·(−A_t·ρ_t − β·∂k/∂log π_old) into dNewLogp (null to skip).
     */
    public static Stats compute(float[] newLogp, float[] oldLogp, float[] advantages, int n, double beta,
                                KlEstimators.Estimator estimator, double scale, float[] dNewLogp) {
        double loss = 0, klSum = 0, surr = 0;
        for (int t = 0; t < n; t++) {
            double ratio = Math.exp((double) newLogp[t] - oldLogp[t]), a = advantages[t];
            double k = KlEstimators.estimate(estimator, oldLogp[t], newLogp[t]);
            loss += -ratio * a + beta * k;
            klSum += k;
            surr += ratio * a;
            if (dNewLogp != null) {
                double dk = -KlEstimators.gradLogp(estimator, oldLogp[t], newLogp[t]);
                dNewLogp[t] += (float) (scale * (-a * ratio + beta * dk));
            }
        }
        return new Stats(scale * loss, klSum / n, surr / n);
    }

    /**
     * The surrogate term alone, −scale·Σ ρ_t·A_t, with its gradient −scale·A_t·ρ_t accumulated into
     * dNewLogp; for the exact-KL variant, whose penalty β·KL comes from {@link KlEstimators#fromLogits}.
     */
    public static double surrogate(float[] newLogp, float[] oldLogp, float[] advantages, int n, double scale,
                                   float[] dNewLogp) {
        double loss = 0;
        for (int t = 0; t < n; t++) {
            double ratio = Math.exp((double) newLogp[t] - oldLogp[t]);
            loss -= ratio * advantages[t];
            if (dNewLogp != null) dNewLogp[t] += (float) (-scale * advantages[t] * ratio);
        }
        return scale * loss;
    }

    /** Schulman et al. 2017 §4: halve β when d &lt; d_targ/1.5, double it when d &gt; 1.5·d_targ. */
    public static double adaptBeta(double beta, double kl, double klTarget) {
        if (kl < klTarget / 1.5) return beta / 2;
        if (kl > klTarget * 1.5) return beta * 2;
        return beta;
    }
}
