package align4j.tensor;

/** LayerNorm over the last dimension (GPT-2): out = (x − mean)·rstd·w + b. Backward accumulates. */
public final class LayerNorm {
    private LayerNorm() {}

    public static void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, float[] b,
                               int rows, int c, float eps) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dx += ∂L/∂x; dw, db += (either may be null when frozen). */
    public static void backward(float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] w,
                                float[] mean, float[] rstd, int rows, int c) { throw new UnsupportedOperationException("not yet implemented"); }
}
