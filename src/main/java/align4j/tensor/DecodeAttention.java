package align4j.tensor;

/**
 * Attention of a few new query rows, each over its own sequence's key/value cache (incremental
 * decoding). Row r's query heads sit in {@code qkv} at r·stride (q first, as in {@link Attention});
 * its sequence's cached keys and values are {@code keys[r]} and {@code values[r]}, row-major
 * [position, kvHeads·D], of which the first {@code lengths[r]} positions are visible (the row's own
 * key included: causal attention up to its position). Query head h reads kv head h / (heads / kvHeads)
 * (grouped-query attention); scores are scaled by 1/√D as in {@link Attention}.
 *
 * <p>Per (row, head): s_j = q·k_j/√D, p = softmax(s), out = Σ_j p_j·v_j — the dot products and the
 * weighted sum run as vector loops over D ({@link VectorMath#dot}, {@link VectorMath#axpy}). Work is
 * split over (row, head) pairs, each written by one thread, so results do not depend on the thread count.
 * Its plain twin is a full recomputation of the sequence with {@link Attention} ({@code KvCacheDecodingTest} in
 * src/test/java/align4j/model).
 */
public final class DecodeAttention {
    private static final ThreadLocal<float[][]> SCORES = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private DecodeAttention() {}

    /** out[rows, heads·D] for the query rows of qkv (row stride (heads + 2·kvHeads)·D). */
    public static void forward(float[] out, float[] qkv, float[][] keys, float[][] values, int[] lengths,
                               int rows, int heads, int kvHeads, int headDim) {
        int d = headDim, stride = (heads + 2 * kvHeads) * d, kvDim = kvHeads * d, group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(d));
        Parallel.forChunks(rows * heads, 1, (chunk, t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int r = t / heads, h = t % heads, n = lengths[r];
                float[] s = scores(n);
                float[] k = keys[r], v = values[r];
                int qo = r * stride + h * d, ko = h / group * d, oo = r * heads * d + h * d;
                for (int j = 0; j < n; j++) s[j] = VectorMath.dot(qkv, qo, k, j * kvDim + ko, d) * scale;
                float max = VectorMath.max(s, 0, n);
                float sum = VectorMath.expShift(s, 0, s, 0, n, max);
                float inv = 1f / sum;
                java.util.Arrays.fill(out, oo, oo + d, 0f);
                for (int j = 0; j < n; j++) VectorMath.axpy(s[j] * inv, v, j * kvDim + ko, out, oo, d);
            }
        });
    }

    private static float[] scores(int n) {
        float[][] holder = SCORES.get();
        if (holder[0].length < n) holder[0] = new float[Math.max(n, holder[0].length * 2)];
        return holder[0];
    }
}
