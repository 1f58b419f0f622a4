package align4j.quickstart;

import align4j.loss.KlEstimators;
import align4j.model.Batch;
import align4j.model.Transformer;
import align4j.tensor.MatMul;
import align4j.train.Rollouts;

/**
 * How the quickstart scores a policy π against the SFT reference π_ref, on completions sampled from π
 * at temperature 1 (as the DPO paper's §6.1 evaluation does):
 * <ul>
 *   <li><b>gold reward</b>: the mean of {@link GoldReward#reward} over the samples;</li>
 *   <li><b>KL</b>: the sequence-level KL(π‖π_ref) = E_{y~π}[Σ_t log π(y_t|x,y_&lt;t) − log π_ref(y_t|x,y_&lt;t)],
 *       estimated as the mean over samples of the <em>exact</em> per-token KL summed along each sampled
 *       sequence, Σ_t KL(π(·|x,y_&lt;t) ‖ π_ref(·|x,y_&lt;t)) over the full vocabulary. By the chain rule of
 *       KL its expectation is the sequence KL, like the plain Monte-Carlo estimate Σ_t log π − log π_ref
 *       (also reported, as {@code kl_mc}), but every term is ≥ 0 and its variance is lower. The DPO paper
 *       plots the same quantity (the sum of per-token KLs; Rafailov et al. 2023 §6.1, docs/references.md#dpo).</li>
 * </ul>
 */
public final class PolicyEval {
    private PolicyEval() {}

    /** One policy's scores; goldRewardSe is the standard error of the mean gold reward. */
    public record Result(double goldReward, double goldRewardSe, double kl, double klMc, double meanTokens) {}

    /** Gold reward of each completion. */
    public static double[] gold(Rollouts r) {
        double[] g = new double[r.size()];
        for (int i = 0; i < r.size(); i++) g[i] = GoldReward.reward(r.completions()[i]);
        return g;
    }

    /** Scores rollouts sampled from {@code policy}; ref may be the policy itself (KL 0). */
    public static Result evaluate(Transformer policy, Transformer ref, Rollouts r) {
        double[] g = gold(r);
        double kl = 0, klMc = 0;
        int chunk = 64;
        for (int s = 0; s < r.size(); s += chunk) {
            int n = Math.min(chunk, r.size() - s);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = s + i;
            Rollouts sub = r.select(idx);
            Batch b = sub.batch();
            int rows = b.targets().size(), v = policy.head().vocab();
            float[] lp = logits(policy, b), lq = logits(ref, b);
            float[] perToken = new float[rows];
            KlEstimators.fromLogits(lp, lq, rows, v, perToken);
            for (int j = 0; j < rows; j++) {
                kl += perToken[j];
                int tok = b.targets().tokens()[j];
                klMc += logSoftmaxAt(lp, j, v, tok) - logSoftmaxAt(lq, j, v, tok);
            }
        }
        double mean = 0, sq = 0;
        for (double x : g) mean += x / g.length;
        for (double x : g) sq += (x - mean) * (x - mean);
        double se = g.length > 1 ? Math.sqrt(sq / (g.length - 1) / g.length) : 0;
        return new Result(mean, se, kl / r.size(), klMc / r.size(), (double) r.completionTokens() / r.size());
    }

    /** Full-vocabulary logits [targets, V] at the batch's target rows. */
    static float[] logits(Transformer m, Batch b) {
        float[] h = m.forwardHidden(b, false);
        int c = m.cfg.hidden(), v = m.head().vocab(), rows = b.targets().size();
        float[] x = new float[rows * c];
        for (int j = 0; j < rows; j++) System.arraycopy(h, b.targets().rows()[j] * c, x, j * c, c);
        float[] out = new float[rows * v];
        MatMul.forward(out, x, m.head().weight().data, null, rows, c, v);
        return out;
    }

    private static double logSoftmaxAt(float[] logits, int row, int v, int tok) {
        int o = row * v;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) max = Math.max(max, logits[o + i]);
        double s = 0;
        for (int i = 0; i < v; i++) s += Math.exp(logits[o + i] - max);
        return logits[o + tok] - max - Math.log(s);
    }
}
