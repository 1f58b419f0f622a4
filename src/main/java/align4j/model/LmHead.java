package align4j.model;

import align4j.tensor.MatMul;
import align4j.tensor.Parallel;
import align4j.tensor.Tensor;
import align4j.tensor.TokenLogProbs;
import align4j.tensor.VectorMath;

/**
 * The language-model head evaluated only at the rows where a log-probability is needed (completion
 * positions), gathered from the hidden states: logits = h[rows]·Wᵀ, then a fused log-softmax + gather.
 * Skipping prompt rows avoids most of the [tokens × vocab] work, the largest single saving of a DPO step
 * (docs/performance.md#lm-head-at-completion-positions).
 */
public final class LmHead {
    private final Tensor weight;
    private final int c;
    private float[] x = new float[0], logits = new float[0], dx = new float[0];
    private float[] lse = new float[0];
    private Batch.Targets targets;
    private int batchRows, targetsRows;

    /** Per target: log p(target | context) and the sum of the row's logits (for TRL's logits/* metric). */
    public record Result(float[] logp, float[] logitSum) {}

    public LmHead(Tensor weight, int hidden) {
        this.weight = weight;
        this.c = hidden;
    }

    public Tensor weight() {
        return weight;
    }

    public int vocab() {
        return weight.shape[0];
    }

    public Result forward(float[] hidden, Batch.Targets t, int batchRows, boolean forTraining) {
        int r = t.size(), v = vocab();
        ensure(r);
        int[] rows = t.rows();
        Parallel.forRange(r, (s, e) -> {
            for (int j = s; j < e; j++) System.arraycopy(hidden, rows[j] * c, x, j * c, c);
        });
        MatMul.forward(logits, x, weight, null, r, c, v);
        float[] logp = new float[r], logitSum = new float[r];
        TokenLogProbs.forward(logp, lse, logitSum, logits, t.tokens(), r, v);
        this.targets = forTraining ? t : null;
        this.targetsRows = r;
        this.batchRows = batchRows;
        return new Result(logp, logitSum);
    }

    /**
     * Per target row of the last {@link #forward} (before any backward, which overwrites the logits): whether the
     * most likely token is the target (TRL's {@code mean_token_accuracy}, argmax ties → the lowest id, as
     * torch.argmax) and the entropy H = lse − Σ_v p_v·logit_v of the predicted distribution (TRL's {@code entropy}).
     */
    public void predictionStats(int[] targetsIn, boolean[] correct, double[] entropy) {
        int r = targetsIn.length, v = vocab();
        Parallel.forRange(r, (s, e) -> {
            for (int j = s; j < e; j++) {
                int o = j * v;
                int best = 0;
                double l = lse[j], pz = 0;
                for (int k = 0; k < v; k++) {
                    float z = logits[o + k];
                    if (z > logits[o + best]) best = k;
                    pz += Math.exp(z - l) * z;
                }
                correct[j] = best == targetsIn[j];
                entropy[j] = l - pz;
            }
        });
    }

    /**
     * Per target row of the last {@link #forward} (before any backward, which overwrites the logits): log Σ_v p_v²
     * = logsumexp(2z) − 2·logsumexp(z), the denominator of WPO's weights (Zhou et al. 2024, arXiv 2406.11827,
     * eq. 2; TRL HEAD's {@code lse2 − 2·lse1}). Summed as Σ_v exp(2(z_v − lse)), each term at most 1.
     */
    public void logSumSquaredProbs(float[] out) {
        int r = targetsRows, v = vocab();
        Parallel.forRange(r, (s, e) -> {
            for (int j = s; j < e; j++) out[j] = (float) Math.log(VectorMath.sumExpScaled(logits, j * v, v, lse[j], 2f));
        });
    }

    /** Accumulates into dHidden [batchRows, C] and, when trainable, the head weight's gradient. */
    public void backward(float[] dlogp, float[] dHidden) {
        if (targets == null) throw new IllegalStateException("LmHead.backward needs a preceding forward(…, true)");
        int r = targets.size(), v = vocab();
        TokenLogProbs.backward(logits, dlogp, lse, targets.tokens(), r, v);
        MatMul.backwardInputInto(dx, logits, weight, r, c, v);
        if (weight.isTrainable()) MatMul.backwardWeight(weight.grad, null, logits, x, r, c, v);
        // Rows may repeat (a shared prompt's last row predicts both completions): scatter in target order.
        int[] rows = targets.rows();
        for (int j = 0; j < r; j++) {
            int o = rows[j] * c, oj = j * c;
            for (int i = 0; i < c; i++) dHidden[o + i] += dx[oj + i];
        }
        targets = null;
    }

    private void ensure(int r) {
        if (x.length < r * c) {
            int rr = Math.max(r, x.length / Math.max(1, c) * 5 / 4);
            x = new float[rr * c];
            dx = new float[rr * c];
            lse = new float[rr];
            logits = new float[Math.multiplyExact(rr, vocab())];
        }
    }
}
