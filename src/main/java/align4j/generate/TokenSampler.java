package align4j.generate;

import align4j.tensor.Softmax;
import align4j.tensor.VectorMath;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of raw logits as Hugging Face's generate does: the argmax when not
 * sampling (greedy: first index of the maximum, as torch.argmax), otherwise temperature → top-k → top-p
 * ({@link LogitsWarpers}) then one draw from softmax of what is left. Also gives the chosen token's
 * log-probability under the raw (untempered, unfiltered) distribution. One instance per thread.
 */
public final class TokenSampler {
    private final LogitsWarpers warpers = new LogitsWarpers();
    private float[] row = new float[0];
    private float lastLogprob;

    /** The token for logits[lo, lo+v); {@link #logprob()} then holds its raw log-probability. */
    public int next(float[] logits, int lo, int v, SamplingParams p, SplittableRandom rng) {
        int tok = p.sampling() ? sample(logits, lo, v, p, rng) : argmax(logits, lo, v);
        lastLogprob = logits[lo + tok] - Softmax.logSumExp(logits, lo, v);
        return tok;
    }

    /** log softmax(raw logits)[token] of the last {@link #next} call. */
    public float logprob() {
        return lastLogprob;
    }

    static int argmax(float[] x, int xo, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[xo + i] > x[xo + best]) best = i;
        return best;
    }

    private int sample(float[] logits, int lo, int v, SamplingParams p, SplittableRandom rng) {
        if (row.length < v) row = new float[v];
        System.arraycopy(logits, lo, row, 0, v);
        LogitsWarpers.temperature(row, 0, v, p.temperature());
        warpers.topK(row, 0, v, p.topK());
        warpers.topP(row, 0, v, p.topP());
        return draw(row, v, rng.nextDouble());
    }

    /**
     * Inverse-CDF draw from softmax(x) with u ∈ [0, 1): the first token whose cumulative weight (in id
     * order, in double) exceeds u·Σ. x is overwritten with the weights exp(x − max).
     */
    static int draw(float[] x, int n, double u) {
        float max = VectorMath.max(x, 0, n);
        VectorMath.expShift(x, 0, x, 0, n, max);
        double total = 0;
        for (int i = 0; i < n; i++) total += x[i];
        double target = u * total, cum = 0;
        int last = 0;
        for (int i = 0; i < n; i++) {
            if (x[i] == 0f) continue;
            cum += x[i];
            last = i;
            if (cum > target) return i;
        }
        return last;
    }
}
