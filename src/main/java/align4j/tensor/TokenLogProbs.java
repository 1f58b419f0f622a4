package align4j.tensor;

/**
 * Fused log-softmax and gather at target tokens: the log-probability of each row's target under the
 * row's logits, without materialising log-softmax.
 */
public final class TokenLogProbs {
    private TokenLogProbs() {}

    /**
     * logp[r] = logits[r, targets[r]] − logsumexp(logits[r, :]); lse[r] saves the log-sum-exp; when
     * logitSum != null, logitSum[r] = Σ_v logits[r, v] (for TRL's logits/chosen metric).
     */
    public static void forward(float[] logp, float[] lse, float[] logitSum, float[] logits, int[] targets,
                               int rows, int vocab) { throw new UnsupportedOperationException("not yet implemented"); }

    /** In place: logits[r, :] becomes dlogp[r]·(onehot(targets[r]) − softmax(logits[r, :])). */
    public static void backward(float[] logits, float[] dlogp, float[] lse, int[] targets, int rows, int vocab) { throw new UnsupportedOperationException("not yet implemented"); }
}
