package align4j.loss;

import static align4j.loss.Logistic.sigmoid;
import static align4j.loss.Logistic.softplus;

/**
 * The Plackett–Luce negative log-likelihood of a ranking (Plackett 1975, Luce 1959; DPO paper, Rafailov et al.
 * 2023, arXiv 2305.18290, Appendix A.3): for utilities u_1, …, u_K given in ranked order (best first),
 * <pre>p(τ) = Π_{k=1..K} exp(u_k) / Σ_{j=k..K} exp(u_j),   −log p(τ) = Σ_{k&lt;K} softplus(A_k),
 * A_k = log Σ_{j&gt;k} exp(−z_kj),   z_kj = β(v_k − v_j),</pre>
 * with u = βv. Written on the differences z_kj, a stage with one alternative left is −log σ(z) exactly as the
 * pairwise losses compute it (A = −z with no rounding), so K = 2 equals sigmoid DPO and Bradley–Terry bit for bit.
 * ∂/∂z_kj = −σ(A_k)·softmax_j(−z_k·).
 */
public final class PlackettLuce {
    private PlackettLuce() {}

    /**
     * −log p(τ) of values v (ranked best first) under utilities βv; adds ∂(−log p)/∂v_k, divided by divisor (the
     * batch's list count, for a mean), into dv.
     */
    public static double negLogLikelihood(double[] v, double beta, double[] dv, double divisor) {
        int k = v.length;
        if (k < 2) throw new IllegalArgumentException("a ranking needs at least 2 items, got " + k);
        double loss = 0;
        double[] x = new double[k];
        for (int a = 0; a < k - 1; a++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = a + 1; j < k; j++) {
                x[j] = -(beta * (v[a] - v[j]));
                m = Math.max(m, x[j]);
            }
            double s = 0;
            for (int j = a + 1; j < k; j++) s += Math.exp(x[j] - m);
            double lse = m + Math.log(s);
            loss += softplus(lse);
            double sg = sigmoid(lse);
            for (int j = a + 1; j < k; j++) {
                double g = -sg * (Math.exp(x[j] - m) / s); // ∂L/∂z_aj
                dv[a] += beta * g / divisor;
                dv[j] -= beta * g / divisor;
            }
        }
        return loss;
    }
}
