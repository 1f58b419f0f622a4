package align4j.loss;

/**
 * PPO's clipped value loss as TRL's PPO trainer computes it ({@code vf_losses1}, {@code vf_losses2},
 * {@code cliprange_value}; from OpenAI's lm-human-preferences / baselines ppo2):
 * <pre>
 *   V_c = clip(V, V_old − ε_v, V_old + ε_v)
 *   ℓ_t = ½·max((V − R)², (V_c − R)²)
 * </pre>
 * with R the GAE returns. Gradient with respect to V: (V − R) where the unclipped square is the max
 * (ties go to it), (V_c − R)·1[V inside the clip range] otherwise, which is 0 when V was clipped.
 */
public final class PpoValueLoss {
    private PpoValueLoss() {}

    /**
     * {@code loss} = scale·Σ ℓ_t; {@code clipFrac} = mean 1[(V_c − R)² > (V − R)²] (TRL
     * {@code val/clipfrac_avg}).
     */
    public record Stats(double loss, double clipFrac) {}

    /**
     * Over tokens [0, n): returns scale·Σ ℓ_t and the clip fraction, and accumulates scale·∂ℓ_t/∂V_t
     * into dValues (null to skip). scale = 1/n gives TRL's {@code loss/value_avg} (which already
     * includes the ½; the trainer's total is pg + vf_coef·vf).
     */
    public static Stats compute(float[] values, float[] oldValues, float[] returns, int n, double clipRange,
                                double scale, float[] dValues) {
        double loss = 0, clipped = 0;
        for (int t = 0; t < n; t++) {
            double v = values[t], r = returns[t];
            double vc = Math.clamp(v, (double) oldValues[t] - clipRange, (double) oldValues[t] + clipRange);
            double l1 = (v - r) * (v - r), l2 = (vc - r) * (vc - r);
            loss += 0.5 * Math.max(l1, l2);
            if (l2 > l1) clipped++;
            if (dValues != null) {
                double g = l1 >= l2 ? v - r : (vc == v ? vc - r : 0.0);
                dValues[t] += (float) (scale * g);
            }
        }
        return new Stats(scale * loss, clipped / n);
    }
}
