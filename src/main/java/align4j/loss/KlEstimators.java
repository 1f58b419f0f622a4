package align4j.loss;

import align4j.InputException;

/**
 * KL divergence between a policy π and a reference π_ref: per-token Monte-Carlo estimators for a
 * token x sampled from π, and the exact KL of two categorical distributions over the vocabulary.
 *
 * <p>Estimators (Schulman, "Approximating KL Divergence", 2020, http://joschu.net/blog/kl-approx.html),
 * with ρ = π_ref(x)/π(x) and log r = log π(x) − log π_ref(x) = −log ρ:
 * <ul>
 *   <li>k1 = log π − log π_ref: unbiased for KL(π‖π_ref), high variance, negative on some samples;</li>
 *   <li>k2 = ½(log r)²: biased (bias O(E|log ρ|³)), low variance, ≥ 0;</li>
 *   <li>k3 = (ρ − 1) − log ρ: unbiased (E_π[ρ] = 1), low variance, ≥ 0.</li>
 * </ul>
 * TRL's PPO trainer uses k1 (default) or k3 ({@code kl_estimator}), its GRPO trainer k3; OpenRLHF
 * offers all three ({@code --algo.kl.estimator}). Each is a function of d = log π − log π_ref only,
 * so ∂k/∂log π_ref = −∂k/∂log π.
 *
 * <p>The same formulas give KL(π_old‖π_θ) for tokens sampled from π_old: pass log π_old as
 * {@code logp} and log π_θ as {@code refLogp} (PPO-KLPEN, {@link PpoKlPenalty}).
 */
public final class KlEstimators {
    private KlEstimators() {}

    /** The per-token estimator; names as TRL's {@code kl_estimator} and OpenRLHF's flag spell them. */
    public enum Estimator {
        K1, K2, K3;

        /** "k1", "k2" or "k3" (case-insensitive). */
        public static Estimator parse(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "k1" -> K1;
                case "k2" -> K2;
                case "k3" -> K3;
                default -> throw new InputException("unknown KL estimator '" + name + "' (expected k1, k2 or k3)");
            };
        }
    }

    /** k1 = log π − log π_ref. */
    public static double k1(double logp, double refLogp) {
        return logp - refLogp;
    }

    /** k2 = ½ (log π − log π_ref)². */
    public static double k2(double logp, double refLogp) {
        double d = logp - refLogp;
        return 0.5 * d * d;
    }

    /**
     * k3 = (ρ − 1) − log ρ with log ρ = log π_ref − log π, computed as expm1(log ρ) − log ρ so that it
     * keeps its precision near ρ = 1. It is ≥ 0 in exact arithmetic (e^x ≥ 1 + x); the max guards the
     * last-ulp rounding of expm1.
     */
    public static double k3(double logp, double refLogp) {
        double logRho = refLogp - logp;
        return Math.max(0.0, Math.expm1(logRho) - logRho);
    }

    public static double estimate(Estimator e, double logp, double refLogp) {
        return switch (e) {
            case K1 -> k1(logp, refLogp);
            case K2 -> k2(logp, refLogp);
            case K3 -> k3(logp, refLogp);
        };
    }

    /**
     * ∂k/∂log π: k1 → 1; k2 → log π − log π_ref; k3 → 1 − ρ. The derivative with respect to
     * log π_ref is the negative of this.
     */
    public static double gradLogp(Estimator e, double logp, double refLogp) {
        return switch (e) {
            case K1 -> 1.0;
            case K2 -> logp - refLogp;
            case K3 -> -Math.expm1(refLogp - logp);
        };
    }

    /** out[i] = k(logp[i], refLogp[i]) for i in [0, n). */
    public static void perToken(Estimator e, float[] logp, float[] refLogp, int n, float[] out) {
        for (int i = 0; i < n; i++) out[i] = (float) estimate(e, logp[i], refLogp[i]);
    }

    /**
     * Exact KL(p‖q) = Σ_i p_i (log p_i − log q_i) of two probability vectors, with 0·log 0 = 0;
     * +∞ when some p_i > 0 has q_i = 0.
     */
    public static double categorical(double[] p, double[] q) {
        double kl = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) continue;
            if (q[i] == 0) return Double.POSITIVE_INFINITY;
            kl += p[i] * Math.log(p[i] / q[i]);
        }
        return kl;
    }

    /**
     * Exact full-vocabulary KL(p‖q) per row, from logits: with lp = log_softmax(pLogits[r]) and
     * lq = log_softmax(qLogits[r]), kl[r] = Σ_v e^{lp_v} (lp_v − lq_v). Rows are [rows, vocab]
     * row-major; accumulation in double.
     */
    public static void fromLogits(float[] pLogits, float[] qLogits, int rows, int vocab, float[] kl) {
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            double lseP = logSumExp(pLogits, o, vocab), lseQ = logSumExp(qLogits, o, vocab);
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                double lp = pLogits[o + v] - lseP, lq = qLogits[o + v] - lseQ;
                sum += Math.exp(lp) * (lp - lq);
            }
            kl[r] = (float) Math.max(0.0, sum);
        }
    }

    /**
     * Backward of {@link #fromLogits}: accumulates dKl[r]·∂kl[r]/∂logits into dPLogits and dQLogits
     * (either may be null to skip). ∂KL/∂pLogits_v = p_v (lp_v − lq_v − KL); ∂KL/∂qLogits_v = q_v − p_v.
     */
    public static void fromLogitsBackward(float[] pLogits, float[] qLogits, int rows, int vocab, float[] dKl,
                                          float[] dPLogits, float[] dQLogits) {
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            double lseP = logSumExp(pLogits, o, vocab), lseQ = logSumExp(qLogits, o, vocab);
            double kl = 0;
            for (int v = 0; v < vocab; v++) {
                double lp = pLogits[o + v] - lseP;
                kl += Math.exp(lp) * (lp - (qLogits[o + v] - lseQ));
            }
            double g = dKl[r];
            for (int v = 0; v < vocab; v++) {
                double lp = pLogits[o + v] - lseP, lq = qLogits[o + v] - lseQ, p = Math.exp(lp);
                if (dPLogits != null) dPLogits[o + v] += (float) (g * p * (lp - lq - kl));
                if (dQLogits != null) dQLogits[o + v] += (float) (g * (Math.exp(lq) - p));
            }
        }
    }

    private static double logSumExp(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(x[off + i] - max);
        return max + Math.log(s);
    }
}
