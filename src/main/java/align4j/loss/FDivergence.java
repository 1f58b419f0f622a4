package align4j.loss;

import align4j.InputException;
import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;

import java.util.Locale;

/**
 * The f-divergence that regularises the policy towards the reference in f-DPO (Wang et al. 2023, "Beyond
 * Reverse KL: Generalizing Direct Preference Optimization with Diverse Divergence Constraints", arXiv
 * 2309.16240): the closed form of the constrained optimum puts f′(π/π_ref) where DPO has log(π/π_ref), so each
 * log-ratio s = log π(y) − log π_ref(y) is replaced by a score g(s) = f′(e^s) up to an additive constant,
 * which cancels in the chosen − rejected difference. Spelled and computed as TRL's {@code f_divergence_type}
 * ({@code DPOTrainer._compute_loss} at HEAD):
 * <ul>
 * <li>{@code reverse_kl}: g(s) = s (plain DPO);
 * <li>{@code forward_kl}: f′(t) = 1 − 1/t, g(s) = −e^{−s};
 * <li>{@code js_divergence}: f′(t) = log(2t/(1 + t)), g(s) = log σ(s);
 * <li>{@code alpha_divergence}: f′(t) = (t^{α−1} − 1)/(α − 1), g(s) = e^{min((α−1)s, 80)}/(α − 1), the clamp
 *     as TRL's (it keeps the exponential finite); within 1e-6 of α = 1 it is reverse_kl, the limit.
 * </ul>
 */
public enum FDivergence {
    REVERSE_KL("reverse_kl"),
    FORWARD_KL("forward_kl"),
    JS_DIVERGENCE("js_divergence"),
    ALPHA_DIVERGENCE("alpha_divergence");

    /** TRL's default {@code f_alpha_divergence_coef} (DPOConfig at HEAD). */
    public static final double DEFAULT_ALPHA = 0.5;
    /** TRL clamps (α − 1)·s at this value before the exponential (float32 and bfloat16). */
    private static final double ALPHA_CLAMP = 80.0;

    /** TRL's spelling. */
    public final String trlName;

    FDivergence(String trlName) {
        this.trlName = trlName;
    }

    /** g(s): the score that replaces the log-ratio s. */
    public double score(double s, double alpha) {
        return switch (this) {
            case REVERSE_KL -> s;
            case FORWARD_KL -> -Math.exp(-s);
            case JS_DIVERGENCE -> logSigmoid(s);
            case ALPHA_DIVERGENCE -> isReverseKl(alpha) ? s : Math.exp(Math.min((alpha - 1) * s, ALPHA_CLAMP)) / (alpha - 1);
        };
    }

    /** g′(s); 0 where TRL's clamp is active, as autograd gives through torch.clamp. */
    public double derivative(double s, double alpha) {
        return switch (this) {
            case REVERSE_KL -> 1.0;
            case FORWARD_KL -> Math.exp(-s);
            case JS_DIVERGENCE -> sigmoid(-s);
            case ALPHA_DIVERGENCE -> {
                if (isReverseKl(alpha)) yield 1.0;
                double t = (alpha - 1) * s;
                yield t > ALPHA_CLAMP ? 0.0 : Math.exp(t);
            }
        };
    }

    private static boolean isReverseKl(double alpha) {
        return Math.abs(alpha - 1.0) < 1e-6;
    }

    /** Parses TRL's spelling; the error names the accepted values. */
    public static FDivergence parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (FDivergence f : values()) {
            if (f.trlName.equals(n)) return f;
        }
        throw new InputException("unknown f_divergence_type '" + name
                + "'; expected reverse_kl, forward_kl, js_divergence or alpha_divergence");
    }

    @Override
    public String toString() {
        return trlName;
    }
}
