package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three matrix products of a linear layer y = x·wᵀ + b, on row-major float[] (w is [n, k], the
 * nn.Linear layout; GPT-2's Conv1D weights are transposed to it on load). All three run on the packed
 * {@link Gemm}; a forward on a few rows (token-by-token decoding) takes dot products against the rows
 * of w instead, since packing w would cost more than the product.
 *
 * <p>Results are bit-identical run to run and across thread counts: each output element is reduced
 * over k in a fixed order (see {@link Gemm}). With {@code --blas openblas} ({@link NativeBlas}, off by
 * default) the FP32 products go to OpenBLAS instead, equal to these within float rounding.
 */
public final class MatMul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Forward on at most this many rows uses dot products. */
    static final int DOT_ROWS = 4;

    private MatMul() {}

    /** 2·m·k·n: the floating-point operations of one of the three products. */
    public static double flops(int m, int k, int n) {
        return 2.0 * m * k * n;
    }

    /** y[m,n] = x[m,k] · w[n,k]ᵀ (+ bias[n] when bias != null); overwrites y. */
    public static void forward(float[] y, float[] x, float[] w, float[] bias, int m, int k, int n) {
        if (m <= DOT_ROWS) {
            forwardDot(y, x, w, bias, m, k, n);
            return;
        }
        if (NativeBlas.enabled() && n > 0 && k > 0) {
            if (bias != null) for (int i = 0; i < m; i++) System.arraycopy(bias, 0, y, i * n, n);
            NativeBlas.sgemm(false, true, m, n, k, x, k, w, k, bias != null ? 1f : 0f, y, n);
            return;
        }
        Gemm.multiply(m, n, k, new Gemm.Operand(x, k, false), new Gemm.Operand(w, k, true), y, n, false, bias);
    }

    /** y = x·wᵀ (+ bias) for a weight tensor held as FP32 or as bfloat16 (widened as it is packed). */
    public static void forward(float[] y, float[] x, Tensor w, float[] bias, int m, int k, int n) {
        if (w.bf16 == null) {
            forward(y, x, w.data, bias, m, k, n);
        } else if (m <= DOT_ROWS) {
            forwardDotBf16(y, x, w.bf16, bias, m, k, n);
        } else {
            Gemm.multiply(m, n, k, new Gemm.Operand(x, k, false), new Gemm.Operand(null, w.bf16, k, true), y, n, false, bias);
        }
    }

    /** dx += dy·w for a weight tensor held as FP32 or as bfloat16. */
    public static void backwardInput(float[] dx, float[] dy, Tensor w, int m, int n, int k) {
        if (w.bf16 == null) {
            backwardInput(dx, dy, w.data, m, n, k);
        } else {
            Gemm.multiply(m, k, n, new Gemm.Operand(dy, n, false), new Gemm.Operand(null, w.bf16, k, false), dx, k, true, null);
        }
    }

    /** dx[m,k] += dy[m,n] · w[n,k]. */
    public static void backwardInput(float[] dx, float[] dy, float[] w, int m, int n, int k) {
        if (NativeBlas.enabled() && m > 0 && n > 0 && k > 0) {
            NativeBlas.sgemm(false, false, m, k, n, dy, n, w, k, 1f, dx, k);
            return;
        }
        Gemm.multiply(m, k, n, new Gemm.Operand(dy, n, false), new Gemm.Operand(w, k, false), dx, k, true, null);
    }

    /** dw[n,k] += dy[m,n]ᵀ · x[m,k]; db[n] += Σ_m dy[m,n] when db != null. */
    public static void backwardWeight(float[] dw, float[] db, float[] dy, float[] x, int m, int n, int k) {
        if (NativeBlas.enabled() && m > 0 && n > 0 && k > 0) {
            NativeBlas.sgemm(true, false, n, k, m, dy, n, x, k, 1f, dw, k);
        } else {
            Gemm.multiply(n, k, m, new Gemm.Operand(dy, n, true), new Gemm.Operand(x, k, false), dw, k, true, null);
        }
        if (db != null) biasGradient(db, dy, m, n);
    }

    /** y[i, j] = bias[j] + x_i · w_j, parallel over the rows j of w (each read once for all m rows of x). */
    private static void forwardDot(float[] y, float[] x, float[] w, float[] bias, int m, int k, int n) {
        Parallel.forChunks(n, Math.max(1, (1 << 16) / Math.max(1, k)), (chunk, j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                float b = bias == null ? 0f : bias[j];
                for (int i = 0; i < m; i++) y[i * n + j] = b + dot(x, i * k, w, j * k, k);
            }
        });
    }

    /** {@link #forwardDot} with each row of w widened from bfloat16 first (same sums, same order). */
    private static void forwardDotBf16(float[] y, float[] x, short[] w, float[] bias, int m, int k, int n) {
        Parallel.forChunks(n, Math.max(1, (1 << 16) / Math.max(1, k)), (chunk, j0, j1) -> {
            float[] row = new float[k];
            for (int j = j0; j < j1; j++) {
                Bf16.widen(w, j * k, row, 0, k);
                float b = bias == null ? 0f : bias[j];
                for (int i = 0; i < m; i++) y[i * n + j] = b + dot(x, i * k, row, 0, k);
            }
        });
    }

    /** Σ_p a[ao + p]·b[bo + p] with four vector accumulators, summed in a fixed order. */
    private static float dot(float[] a, int ao, float[] b, int bo, int k) {
        int L = S.length(), p = 0;
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (; p <= k - 4 * L; p += 4 * L) {
            s0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s0);
            s1 = FloatVector.fromArray(S, a, ao + p + L).fma(FloatVector.fromArray(S, b, bo + p + L), s1);
            s2 = FloatVector.fromArray(S, a, ao + p + 2 * L).fma(FloatVector.fromArray(S, b, bo + p + 2 * L), s2);
            s3 = FloatVector.fromArray(S, a, ao + p + 3 * L).fma(FloatVector.fromArray(S, b, bo + p + 3 * L), s3);
        }
        for (; p <= k - L; p += L) {
            s0 = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) s = Math.fma(a[ao + p], b[bo + p], s);
        return s;
    }

    /** db[j] += Σ_i dy[i, j], each column summed in row order. */
    private static void biasGradient(float[] db, float[] dy, int m, int n) {
        Parallel.forChunks(n, Math.max(1, (1 << 16) / Math.max(1, m)), (chunk, j0, j1) -> {
            int L = S.length(), j = j0;
            for (; j <= j1 - L; j += L) {
                FloatVector s = FloatVector.zero(S);
                for (int i = 0; i < m; i++) s = s.add(FloatVector.fromArray(S, dy, i * n + j));
                FloatVector.fromArray(S, db, j).add(s).intoArray(db, j);
            }
            for (; j < j1; j++) {
                float s = 0f;
                for (int i = 0; i < m; i++) s += dy[i * n + j];
                db[j] += s;
            }
        });
    }
}
