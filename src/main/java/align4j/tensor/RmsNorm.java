package align4j.tensor;

/** RMSNorm (Llama, HF LlamaRMSNorm): out = x·rsqrt(mean(x²) + eps)·w. Backward accumulates. */
public final class RmsNorm {
    private RmsNorm() {}

    public static void forward(float[] out, float[] rstd, float[] x, float[] w, int rows, int c, float eps) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dx += ∂L/∂x; dw += (may be null when frozen). */
    public static void backward(float[] dx, float[] dw, float[] dout, float[] x, float[] w, float[] rstd,
                                int rows, int c) { throw new UnsupportedOperationException("not yet implemented"); }
}
