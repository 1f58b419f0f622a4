package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three matrix products of a linear layer y = x·wᵀ + b, on row-major float[] (w is [n, k], the
 * nn.Linear layout; GPT-2's Conv1D weights are transposed to it on load). All three run on the packed
 * {@link Gemm}; a forward on a few rows (token-by-token decoding) takes dot products against the rows
 * of w instead, since packing w would cost more than the product.
 *
 * <p>Dimension order: every product here, forward and backward (and {@link Gemm#multiply}, LoRA's
 * {@code Lora.forward}/{@code backward}), takes its sizes as {@code (rows, in, out)}: m rows of the
 * activations, k = in features (x is [m, k]), n = out features (y and dy are [m, n], w is [n, k]).
 *
 * <p>Results are bit-identical run to run and across thread counts: each output element is reduced
 * over k in a fixed order (see {@link Gemm}). With {@code --blas openblas} ({@link NativeBlas}, off by
 * default) the FP32 products go to OpenBLAS instead, equal to these within float rounding.
 *
 * <p>The plain algorithm is the triple loop summed in double in {@code MatMulTest} (src/test:
 * {@code forwardMatchesDoubleReferenceWithAndWithoutBias}, {@code backwardInputAccumulatesDyTimesW},
 * {@code backwardWeightAccumulatesDyTransposedTimesXAndColumnSumsIntoDb}).
 */
public final class MatMul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /**
     * Forward on at most this many rows uses dot products (decoding: one row per sequence of the batch):
     * below it, packing w for the GEMM on every step costs more than it saves
     * (docs/performance.md#decoding-products).
     */
    static final int DOT_ROWS = 16;

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
        Gemm.multiply(m, k, n, new Gemm.Operand(x, k, false), new Gemm.Operand(w, k, true), y, n, false, bias);
    }

    /** y = x·wᵀ (+ bias) for a weight tensor held as FP32 or as bfloat16 (widened as it is packed). */
    public static void forward(float[] y, float[] x, Tensor w, float[] bias, int m, int k, int n) {
        if (w.bf16 == null) {
            forward(y, x, w.data, bias, m, k, n);
        } else if (m <= DOT_ROWS) {
            forwardDotBf16(y, x, w.bf16, bias, m, k, n);
        } else {
            Gemm.multiply(m, k, n, new Gemm.Operand(x, k, false), new Gemm.Operand(null, w.bf16, k, true), y, n, false, bias);
        }
    }

    /** dx += dy·w for a weight tensor held as FP32 or as bfloat16. */
    public static void backwardInput(float[] dx, float[] dy, Tensor w, int m, int k, int n) {
        backwardInput(dx, dy, w, m, k, n, true);
    }

    /**
     * dx = dy·w, overwriting dx: the same bits as zeroing dx and then {@link #backwardInput} (a tile
     * starts from zeros either way), without the pass that zeroes it.
     */
    public static void backwardInputInto(float[] dx, float[] dy, Tensor w, int m, int k, int n) {
        backwardInput(dx, dy, w, m, k, n, false);
    }

    private static void backwardInput(float[] dx, float[] dy, Tensor w, int m, int k, int n, boolean accumulate) {
        if (w.bf16 == null) {
            backwardInput(dx, dy, w.data, m, k, n, accumulate);
        } else {
            Gemm.multiply(m, n, k, new Gemm.Operand(dy, n, false), new Gemm.Operand(null, w.bf16, k, false), dx, k, accumulate, null);
        }
    }

    /** dx[m,k] += dy[m,n] · w[n,k]. */
    public static void backwardInput(float[] dx, float[] dy, float[] w, int m, int k, int n) {
        backwardInput(dx, dy, w, m, k, n, true);
    }

    private static void backwardInput(float[] dx, float[] dy, float[] w, int m, int k, int n, boolean accumulate) {
        if (NativeBlas.enabled() && m > 0 && n > 0 && k > 0) {
            NativeBlas.sgemm(false, false, m, k, n, dy, n, w, k, accumulate ? 1f : 0f, dx, k);
            return;
        }
        Gemm.multiply(m, n, k, new Gemm.Operand(dy, n, false), new Gemm.Operand(w, k, false), dx, k, accumulate, null);
    }

    /** dw[n,k] += dy[m,n]ᵀ · x[m,k]; db[n] += Σ_m dy[m,n] when db != null. */
    public static void backwardWeight(float[] dw, float[] db, float[] dy, float[] x, int m, int k, int n) {
        if (NativeBlas.enabled() && m > 0 && n > 0 && k > 0) {
            NativeBlas.sgemm(true, false, n, k, m, dy, n, x, k, 1f, dw, k);
        } else {
            Gemm.multiply(n, m, k, new Gemm.Operand(dy, n, true), new Gemm.Operand(x, k, false), dw, k, true, null);
        }
        if (db != null) biasGradient(db, dy, m, n);
    }

    /**
     * y[i, j] = bias[j] + x_i · w_j, parallel over the rows j of w, each read once for all m rows of x.
     * Register-blocked two rows of w by four rows of x: eight independent single-vector FMA chains share
     * each load, where one dot product at a time was bound by its reduction. Every element is the same
     * sum in the same order whichever block computes it ({@link #dot}), so a row's result does not
     * depend on m (decoding gives the same bits at any batch size up to {@link #DOT_ROWS}).
     */
    private static void forwardDot(float[] y, float[] x, float[] w, float[] bias, int m, int k, int n) {
        Parallel.forChunks(n, Math.max(2, (1 << 16) / Math.max(1, k)) & ~1, (chunk, j0, j1) -> dotRows(y, x, w, 0, bias, m, k, n, j0, j1));
    }

    /** {@link #forwardDot} with rows of w widened from bfloat16 two at a time first (same sums, same order). */
    private static void forwardDotBf16(float[] y, float[] x, short[] w, float[] bias, int m, int k, int n) {
        Parallel.forChunks(n, Math.max(2, (1 << 16) / Math.max(1, k)) & ~1, (chunk, j0, j1) -> {
            float[] rows = new float[2 * k];
            for (int j = j0; j < j1; j += 2) {
                int r = Math.min(2, j1 - j);
                Bf16.widen(w, j * k, rows, 0, r * k);
                dotRows(y, x, rows, j, bias, m, k, n, j, j + r);
            }
        });
    }

    /** y[i, j] for j in [j0, j1) and every i < m; row j of w starts at w[(j − wRow0)·k]. */
    private static void dotRows(float[] y, float[] x, float[] w, int wRow0, float[] bias, int m, int k, int n, int j0, int j1) {
        int j = j0;
        for (; j + 2 <= j1; j += 2) {
            int w0 = (j - wRow0) * k, w1 = w0 + k;
            float b0 = bias == null ? 0f : bias[j], b1 = bias == null ? 0f : bias[j + 1];
            int i = 0;
            for (; i + 4 <= m; i += 4) block2x4(y, x, w, w0, w1, b0, b1, i, j, k, n);
            for (; i < m; i++) {
                y[i * n + j] = b0 + dot(x, i * k, w, w0, k);
                y[i * n + j + 1] = b1 + dot(x, i * k, w, w1, k);
            }
        }
        for (; j < j1; j++) {
            int w0 = (j - wRow0) * k;
            float b = bias == null ? 0f : bias[j];
            for (int i = 0; i < m; i++) y[i * n + j] = b + dot(x, i * k, w, w0, k);
        }
    }

    /** Rows j, j+1 of w against rows i..i+3 of x: eight chains, each exactly {@link #dot}'s. */
    private static void block2x4(float[] y, float[] x, float[] w, int w0, int w1, float b0, float b1, int i, int j, int k, int n) {
        int L = S.length(), p = 0;
        int x0 = i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (; p <= k - L; p += L) {
            FloatVector u = FloatVector.fromArray(S, w, w0 + p), v = FloatVector.fromArray(S, w, w1 + p);
            FloatVector c = FloatVector.fromArray(S, x, x0 + p);
            a00 = c.fma(u, a00);
            a10 = c.fma(v, a10);
            c = FloatVector.fromArray(S, x, x1 + p);
            a01 = c.fma(u, a01);
            a11 = c.fma(v, a11);
            c = FloatVector.fromArray(S, x, x2 + p);
            a02 = c.fma(u, a02);
            a12 = c.fma(v, a12);
            c = FloatVector.fromArray(S, x, x3 + p);
            a03 = c.fma(u, a03);
            a13 = c.fma(v, a13);
        }
        // sumLanes, not reduceLanes(ADD): its lane order is fixed, so the interpreter and C2 give the same bits
        float s00 = VectorMath.sumLanes(a00), s01 = VectorMath.sumLanes(a01), s02 = VectorMath.sumLanes(a02),
                s03 = VectorMath.sumLanes(a03), s10 = VectorMath.sumLanes(a10), s11 = VectorMath.sumLanes(a11),
                s12 = VectorMath.sumLanes(a12), s13 = VectorMath.sumLanes(a13);
        for (; p < k; p++) {
            float u = w[w0 + p], v = w[w1 + p];
            s00 = Math.fma(x[x0 + p], u, s00);
            s01 = Math.fma(x[x1 + p], u, s01);
            s02 = Math.fma(x[x2 + p], u, s02);
            s03 = Math.fma(x[x3 + p], u, s03);
            s10 = Math.fma(x[x0 + p], v, s10);
            s11 = Math.fma(x[x1 + p], v, s11);
            s12 = Math.fma(x[x2 + p], v, s12);
            s13 = Math.fma(x[x3 + p], v, s13);
        }
        y[i * n + j] = b0 + s00;
        y[(i + 1) * n + j] = b0 + s01;
        y[(i + 2) * n + j] = b0 + s02;
        y[(i + 3) * n + j] = b0 + s03;
        y[i * n + j + 1] = b1 + s10;
        y[(i + 1) * n + j + 1] = b1 + s11;
        y[(i + 2) * n + j + 1] = b1 + s12;
        y[(i + 3) * n + j + 1] = b1 + s13;
    }

    /** Σ_p a[ao + p]·b[bo + p]: one vector FMA chain over p, its lanes reduced, then the scalar tail. */
    private static float dot(float[] a, int ao, float[] b, int bo, int k) {
        int L = S.length(), p = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; p <= k - L; p += L) acc = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc);
        float s = VectorMath.sumLanes(acc); // a fixed lane order on every JIT tier (VectorMath's determinism note)
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
