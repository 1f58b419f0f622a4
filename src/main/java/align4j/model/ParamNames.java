package align4j.model;

/**
 * align4j's canonical parameter names and layouts (io maps Hugging Face names onto these on load and
 * back on save). Weights are [out, in] (nn.Linear); q, k, v are fused row-wise into qkv (q heads, then
 * k heads, then v heads) and, in the Llama family, gate and up into {@code up} (gate rows first).
 */
public final class ParamNames {
    public static final String EMBED = "embed";                  // [V, C]
    public static final String POS_EMBED = "pos_embed";          // [n_positions, C], GPT-2 only
    public static final String FINAL_NORM_W = "final_norm.weight";
    public static final String FINAL_NORM_B = "final_norm.bias"; // GPT-2 only
    public static final String LM_HEAD = "lm_head";              // [V, C], only when not tied
    public static final String SCORE = "score.weight";           // [num_labels, C], reward/value heads

    private ParamNames() {}

    /** "layers.{l}.{suffix}", suffix one of attn_norm.weight|bias, qkv.weight|bias, out.weight|bias,
     * mlp_norm.weight|bias, up.weight|bias, down.weight|bias, and in Qwen3 q_norm.weight, k_norm.weight [head_dim]. */
    public static String layer(int l, String suffix) {
        return "layers." + l + "." + suffix;
    }
}
