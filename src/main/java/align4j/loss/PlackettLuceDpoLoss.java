package align4j.loss;

import align4j.InputException;

/**
 * Listwise DPO: the Plackett–Luce loss of the DPO paper (Rafailov et al. 2023, arXiv 2305.18290, Appendix A.3,
 * eq. 20) on the implicit rewards r_k = β·(ℓ_k − ℓ^ref_k) of K ≥ 2 completions of one prompt, ranked best first:
 * <pre>L = −log Π_{k=1..K} exp(r_τ(k)) / Σ_{j=k..K} exp(r_τ(j))</pre>
 * ({@link PlackettLuce}), the batch loss the mean over prompts. With K = 2 it is TRL's {@code sigmoid} loss
 * without label smoothing, bit for bit. Metrics use TRL's DPO names with the best completion as "chosen" and the
 * worst as "rejected", so a batch of pairs logs exactly what {@link DpoLoss} logs.
 *
 * @param beta          β
 * @param referenceFree use a uniform reference (ℓ^ref = 0)
 */
public record PlackettLuceDpoLoss(double beta, boolean referenceFree) {
    public PlackettLuceDpoLoss {
        if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("beta must be > 0, got " + beta);
    }

    /**
     * @param loss    the batch loss (mean over lists)
     * @param losses  per list −log p(τ)
     * @param dPolicy ∂loss/∂ℓ_i,k for each list i and completion k (ranked order): the gradient of every token
     *                log-prob of that completion
     * @param rewards β·(ℓ − ℓ^ref) per list and completion
     */
    public record Result(double loss, double[] losses, double[][] dPolicy, double[][] rewards, DpoMetrics metrics) {}

    /**
     * @param policy the policy's summed completion log-probs, per list in ranked order (best first)
     * @param ref    the reference's, same shape; may be null with reference_free
     */
    public Result compute(double[][] policy, double[][] ref) {
        int n = policy.length;
        if (n == 0) throw new IllegalArgumentException("empty batch");
        if (!referenceFree && (ref == null || ref.length != n)) {
            throw new IllegalArgumentException("reference log-probs are required (one list per list) unless reference_free");
        }
        double loss = 0;
        double[] losses = new double[n], rBest = new double[n], rWorst = new double[n], lBest = new double[n], lWorst = new double[n];
        double[][] d = new double[n][], rewards = new double[n][];
        for (int i = 0; i < n; i++) {
            int k = policy[i].length;
            if (!referenceFree && ref[i].length != k) {
                throw new IllegalArgumentException("list " + i + ": " + k + " policy but " + ref[i].length + " reference log-probs");
            }
            double[] s = new double[k];
            rewards[i] = new double[k];
            for (int j = 0; j < k; j++) {
                s[j] = policy[i][j] - (referenceFree ? 0.0 : ref[i][j]);
                rewards[i][j] = beta * s[j];
            }
            d[i] = new double[k];
            losses[i] = PlackettLuce.negLogLikelihood(s, beta, d[i], n);
            loss += losses[i];
            rBest[i] = rewards[i][0];
            rWorst[i] = rewards[i][k - 1];
            lBest[i] = policy[i][0];
            lWorst[i] = policy[i][k - 1];
        }
        loss = loss / n;
        return new Result(loss, losses, d, rewards, DpoMetrics.of(loss, rBest, rWorst, lBest, lWorst, Double.NaN));
    }
}
