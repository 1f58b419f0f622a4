package align4j.tensor;

/**
 * Scaled dot-product attention with grouped-query heads on a packed row. qkv rows hold q (heads·D),
 * then k (kvHeads·D), then v (kvHeads·D); query head h reads kv head h / (heads / kvHeads). Scores
 * are scaled by 1/√D and masked by {@link AttentionMask}. Forward saves only the log-sum-exp per
 * (row, head); backward recomputes the probabilities from it (as FlashAttention does), so memory is
 * O(rows·heads), not O(rows²·heads).
 */
public final class Attention {
    private Attention() {}

    /** out[rows, heads·D]; lse[rows·heads]. */
    public static void forward(float[] out, float[] lse, float[] qkv, AttentionMask mask,
                               int rows, int heads, int kvHeads, int headDim) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dqkv += ∂L/∂qkv given dout and the saved out and lse. */
    public static void backward(float[] dqkv, float[] dout, float[] out, float[] lse, float[] qkv,
                                AttentionMask mask, int rows, int heads, int kvHeads, int headDim) { throw new UnsupportedOperationException("not yet implemented"); }
}
