package align4j.eval;

import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.Transformer;

/**
 * Per-token implicit rewards of a DPO policy: r_t = β·(log π(y_t | x, y_&lt;t) − log π_ref(y_t | x, y_&lt;t)).
 *
 * <p>Rafailov et al. 2024, "From r to Q*" (arXiv 2404.12358; docs/references.md#token-level-rewards): with
 * the decoder read as the optimal policy of a token-level maximum-entropy RL problem, the per-token reward is
 * β log π*(y_i|x,y_&lt;i) − β log π_ref(y_i|x,y_&lt;i),
 * and its sum over the completion is the sequence-level DPO implicit reward β log π(y|x)/π_ref(y|x)
 * (TRL's {@code rewards/chosen}, {@code rewards/rejected}).
 *
 * <p>Each completion is scored as one causal segment (prompt + completion, {@link BatchBuilder#addSequence}),
 * not with the prefix sharing the trainers use, so a test can hold the two paths against each other.
 */
public final class TokenRewards {
    private TokenRewards() {}

    /**
     * One completion's per-token values. {@code first} is the index of the first scored completion token:
     * 0, or 1 when the prompt is empty (nothing predicts the first token, as in Hugging Face's shifted labels).
     */
    public record Sequence(int[] tokens, int first, float[] policyLogps, float[] refLogps, double[] rewards) {
        /** Σ_t r_t in double, in token order: the sequence-level implicit reward. */
        public double total() {
            double s = 0;
            for (double r : rewards) s += r;
            return s;
        }
    }

    /**
     * Scores {@code completions[i]} after {@code prompts[i]} under both models, {@code maxTokens} packed tokens
     * per forward pass (a longer sequence runs alone).
     */
    public static Sequence[] compute(Transformer policy, Transformer ref, double beta, int[][] prompts,
                                     int[][] completions, int maxTokens) {
        int n = prompts.length;
        Sequence[] out = new Sequence[n];
        int i = 0;
        while (i < n) {
            BatchBuilder b = new BatchBuilder();
            int j = i;
            while (j < n && (j == i || b.tokens() + prompts[j].length + completions[j].length <= maxTokens)) {
                b.addSequence(prompts[j], completions[j]);
                j++;
            }
            Batch batch = b.build();
            float[] lp = policy.logps(batch, false).logp();
            float[] lr = ref.logps(batch, false).logp();
            int[] seq = batch.targets().seq();
            int k = 0;
            for (int s = i; s < j; s++) {
                int first = prompts[s].length == 0 ? 1 : 0;
                int m = Math.max(0, completions[s].length - first);
                float[] p = new float[m], q = new float[m];
                double[] r = new double[m];
                for (int t = 0; t < m; t++, k++) {
                    if (seq[k] != s - i) throw new IllegalStateException("targets out of order");
                    p[t] = lp[k];
                    q[t] = lr[k];
                    r[t] = beta * ((double) lp[k] - lr[k]);
                }
                out[s] = new Sequence(completions[s], first, p, q, r);
            }
            i = j;
        }
        return out;
    }
}
