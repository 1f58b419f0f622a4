package align4j.tensor;

/**
 * The three matrix products of a linear layer y = x·wᵀ + b, on row-major float[] (w is [n, k], the
 * nn.Linear layout; GPT-2's Conv1D weights are transposed to it on load).
 */
public final class MatMul {
    private MatMul() {}

    /** y[m,n] = x[m,k] · w[n,k]ᵀ (+ bias[n] when bias != null); overwrites y. */
    public static void forward(float[] y, float[] x, float[] w, float[] bias, int m, int k, int n) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dx[m,k] += dy[m,n] · w[n,k]. */
    public static void backwardInput(float[] dx, float[] dy, float[] w, int m, int n, int k) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dw[n,k] += dy[m,n]ᵀ · x[m,k]; db[n] += Σ_m dy[m,n] when db != null. */
    public static void backwardWeight(float[] dw, float[] db, float[] dy, float[] x, int m, int n, int k) { throw new UnsupportedOperationException("not yet implemented"); }
}
