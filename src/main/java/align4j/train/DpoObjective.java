package align4j.train;

import align4j.loss.DpoLoss;
import align4j.loss.DpoMetrics;
import align4j.model.LmHead;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import java.util.Arrays;

/**
 * One DPO micro-step: the policy's summed completion log-probs over a packed batch of pairs, the loss
 * of {@link DpoLoss} against cached reference log-probs, and backpropagation of
 * ∂loss/∂ℓ (which every completion token of a sequence shares, ℓ being a sum, times the token's LD-DPO
 * weight) through the policy. With {@link DpoLoss#useWeighting()} the WPO pair weights come from the policy's
 * distribution at the completion tokens, as constants.
 */
public final class DpoObjective {
    private final Transformer policy;
    private final DpoLoss loss;
    private final double ldAlpha;

    public DpoObjective(Transformer policy, DpoLoss loss) {
        this(policy, loss, 1.0);
    }

    /** @param ldAlpha LD-DPO's weight of the tokens past min(|y_w|, |y_l|) (TRL {@code ld_alpha}; 1 = off) */
    public DpoObjective(Transformer policy, DpoLoss loss, double ldAlpha) {
        if (!(ldAlpha >= 0 && ldAlpha <= 1)) throw new IllegalArgumentException("ld_alpha must be in [0, 1], got " + ldAlpha);
        this.policy = policy;
        this.loss = loss;
        this.ldAlpha = ldAlpha;
    }

    public double ldAlpha() {
        return ldAlpha;
    }

    public DpoLoss loss() {
        return loss;
    }

    /** A micro-batch's loss result plus the logit sums TRL's logits/* metrics need. */
    public record Step(DpoLoss.Result result, int pairs, double chosenLogitSum, double rejectedLogitSum,
                       long chosenTokens, long rejectedTokens, int vocab) {
        public DpoMetrics metrics() {
            return result.metrics();
        }

        /** TRL's logits/chosen: the mean logit over chosen completion tokens and the vocabulary. */
        public double logitsChosen() {
            return chosenLogitSum / Math.max(1.0, (double) chosenTokens * vocab);
        }

        public double logitsRejected() {
            return rejectedLogitSum / Math.max(1.0, (double) rejectedTokens * vocab);
        }
    }

    /**
     * Forward and backward over one micro-batch; gradients of the trainable tensors grow by
     * gradScale·∂loss/∂θ (gradScale = 1/gradient_accumulation_steps averages micro-batches).
     */
    public Step train(PairBatch pb, double[] refChosen, double[] refRejected, double gradScale) {
        LmHead.Result r = policy.logps(pb.batch(), true);
        Step step = compute(pb, r, refChosen, refRejected);
        float[] dlogp = pb.tokenGrads(step.result.dChosen(), step.result.dRejected(), step.result.dChosenPlain(), ldAlpha,
                gradScale);
        policy.backwardLogps(dlogp);
        return step;
    }

    /** Forward only (evaluation). */
    public Step evaluate(PairBatch pb, double[] refChosen, double[] refRejected) {
        return compute(pb, policy.logps(pb.batch(), false), refChosen, refRejected);
    }

    private Step compute(PairBatch pb, LmHead.Result r, double[] refChosen, double[] refRejected) {
        PairBatch.Sums s = pb.sums(r, ldAlpha);
        int n = pb.pairs();
        int[] lc = new int[n], lr = new int[n];
        long tc = 0, tr = 0;
        for (int i = 0; i < n; i++) {
            lc[i] = pb.completionTokens()[2 * i];
            lr[i] = pb.completionTokens()[2 * i + 1];
            tc += lc[i];
            tr += lr[i];
        }
        DpoLoss.Result res = loss.compute(new DpoLoss.Inputs(s.chosen(), s.rejected(), refChosen, refRejected, lc, lr,
                ldAlpha != 1.0 ? s.chosenPlain() : null, loss.useWeighting() ? pairWeights(pb, r, lc, lr) : null));
        return new Step(res, n, Arrays.stream(s.chosenLogitSum()).sum(), Arrays.stream(s.rejectedLogitSum()).sum(),
                tc, tr, policy.head().vocab());
    }

    /**
     * WPO (Zhou et al. 2024, arXiv 2406.11827, eq. 2, as TRL HEAD computes it): per sequence the mean over its
     * completion tokens of log p(y_t) − log Σ_v p_v², exponentiated; a pair's weight is the product of its two.
     */
    private double[] pairWeights(PairBatch pb, LmHead.Result r, int[] lc, int[] lr) {
        int m = r.logp().length, n = pb.pairs();
        float[] den = new float[m];
        policy.head().logSumSquaredProbs(den);
        double[] acc = new double[2 * n];
        int[] seq = pb.batch().targets().seq();
        for (int j = 0; j < m; j++) acc[seq[j]] += (double) r.logp()[j] - den[j];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = Math.exp(acc[2 * i] / Math.max(1, lc[i])) * Math.exp(acc[2 * i + 1] / Math.max(1, lr[i]));
        return w;
    }
}
