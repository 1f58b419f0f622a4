package align4j.generate;

import align4j.tensor.VectorMath;
import java.util.Arrays;

/**
 * Hugging Face's logits warpers, in place on one row of logits (filtered entries become −∞), applied in
 * HF's order: temperature, then top-k, then top-p (transformers {@code GenerationMixin._get_logits_processor}).
 * Scratch arrays are owned by the instance, so one instance serves one thread.
 */
public final class LogitsWarpers {
    private float[] heap = new float[0], probs = new float[0];
    private long[] order = new long[0];

    /** TemperatureLogitsWarper: scores / temperature. */
    public static void temperature(float[] x, int xo, int n, float t) {
        if (t == 1f) return;
        for (int i = 0; i < n; i++) x[xo + i] /= t;
    }

    /**
     * TopKLogitsWarper: removes every logit below the k-th largest
     * ({@code scores < topk(scores, k).values[-1]}), so ties with the k-th value survive; k ≥ n keeps all.
     */
    public void topK(float[] x, int xo, int n, int k) {
        if (k <= 0 || k >= n) return;
        float kth = kthLargest(x, xo, n, k);
        for (int i = 0; i < n; i++) if (x[xo + i] < kth) x[xo + i] = Float.NEGATIVE_INFINITY;
    }

    /**
     * TopPLogitsWarper: with p = softmax(x), keep the most likely tokens until their cumulative
     * probability reaches top_p. HF sorts ascending and removes tokens whose ascending cumulative sum is
     * ≤ 1 − top_p, always keeping the most likely one; in descending order that is: token j is kept iff
     * the probability of all tokens ranked before it is &lt; top_p. Ties are ranked by token id.
     *
     * <p>Only tokens above a threshold are sorted: the threshold is lowered (÷64) until the tokens above
     * it carry at least top_p of the mass, since every token below then ranks after the cut.
     */
    public void topP(float[] x, int xo, int n, float topP) {
        if (topP >= 1f) return;
        if (probs.length < n) probs = new float[n];
        float max = VectorMath.max(x, xo, n);
        double total = VectorMath.expShift(probs, 0, x, xo, n, max);
        double need = topP * total;
        float t = 1f / 64;
        int m;
        while (true) {
            double mass = 0;
            m = 0;
            for (int i = 0; i < n; i++) {
                if (probs[i] >= t) {
                    mass += probs[i];
                    m++;
                }
            }
            if (mass >= need || t == 0f) break;
            t = t < 1e-30f ? 0f : t / 64;
        }
        if (order.length < m) order = new long[Math.max(m, order.length * 2)];
        int c = 0;
        for (int i = 0; i < n; i++) {
            // probabilities are ≥ 0, so their float bits sort as they do; the low word ranks ties by id
            if (probs[i] >= t) order[c++] = ((long) Float.floatToRawIntBits(probs[i]) << 32) | (0xFFFFFFFFL - i);
        }
        Arrays.sort(order, 0, m);
        double before = 0;
        int kept = 0;
        for (int j = m - 1; j >= 0; j--) {
            if (kept > 0 && before >= need) break;
            before += Float.intBitsToFloat((int) (order[j] >>> 32));
            kept++;
        }
        // mark kept ids by making them non-negative in probs (scratch), remove the rest
        Arrays.fill(probs, 0, n, -1f);
        for (int j = m - 1; j >= m - kept; j--) probs[(int) (0xFFFFFFFFL - (order[j] & 0xFFFFFFFFL))] = 1f;
        for (int i = 0; i < n; i++) if (probs[i] < 0) x[xo + i] = Float.NEGATIVE_INFINITY;
    }

    /** The k-th largest of x[xo, xo+n) with a size-k min-heap. */
    private float kthLargest(float[] x, int xo, int n, int k) {
        if (heap.length < k) heap = new float[k];
        float[] h = heap;
        for (int i = 0; i < k; i++) {
            float v = x[xo + i];
            int j = i;
            while (j > 0 && h[(j - 1) / 2] > v) {
                h[j] = h[(j - 1) / 2];
                j = (j - 1) / 2;
            }
            h[j] = v;
        }
        for (int i = k; i < n; i++) {
            float v = x[xo + i];
            if (v <= h[0]) continue;
            int j = 0;
            while (true) {
                int a = 2 * j + 1;
                if (a >= k) break;
                int b = a + 1 < k && h[a + 1] < h[a] ? a + 1 : a;
                if (h[b] >= v) break;
                h[j] = h[b];
                j = b;
            }
            h[j] = v;
        }
        return h[0];
    }
}
