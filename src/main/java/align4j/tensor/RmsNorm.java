package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm (Llama, HF LlamaRMSNorm): out = w·(x·rstd) with rstd = 1/√(mean(x²) + eps). Backward
 * accumulates. The plain algorithm is {@code RmsNormTest.reference} (src/test).
 */
public final class RmsNorm {
    private static final int MIN_ROWS = 8;

    private RmsNorm() {}

    /** out[rows, c]; rstd[rows] is saved for backward. */
    public static void forward(float[] out, float[] rstd, float[] x, float[] w, int rows, int c, float eps) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                float s = (float) (1.0 / StrictMath.sqrt(VectorMath.dot(x, o, x, o, c) / c + eps));
                rstd[r] = s;
                FloatVector vs = FloatVector.broadcast(VectorMath.F, s);
                int i = 0;
                for (int bound = VectorMath.F.loopBound(c); i < bound; i += VectorMath.L) {
                    FloatVector.fromArray(VectorMath.F, x, o + i).mul(vs)
                            .mul(FloatVector.fromArray(VectorMath.F, w, i)).intoArray(out, o + i);
                }
                for (; i < c; i++) out[o + i] = w[i] * (x[o + i] * s);
            }
        });
    }

    /**
     * dx += ∂L/∂x; dw += (may be null when frozen). With n = x·rstd and g = dout·w:
     * dx = rstd·(g − n·mean(g·n)), dw = Σ_rows dout·n.
     */
    public static void backward(float[] dx, float[] dw, float[] dout, float[] x, float[] w, float[] rstd,
                                int rows, int c) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                float s = rstd[r];
                FloatVector vs = FloatVector.broadcast(VectorMath.F, s), acc = FloatVector.zero(VectorMath.F);
                int bound = VectorMath.F.loopBound(c), i = 0;
                for (; i < bound; i += VectorMath.L) {
                    FloatVector g = FloatVector.fromArray(VectorMath.F, dout, o + i).mul(FloatVector.fromArray(VectorMath.F, w, i));
                    acc = g.fma(FloatVector.fromArray(VectorMath.F, x, o + i), acc);
                }
                float sumGx = VectorMath.sumLanes(acc);
                for (; i < c; i++) sumGx += dout[o + i] * w[i] * x[o + i];
                // mean(g·n)·n·rstd = (Σ g·x / c)·rstd³·x
                float k = sumGx / c * s * s * s;
                FloatVector vk = FloatVector.broadcast(VectorMath.F, k);
                for (i = 0; i < bound; i += VectorMath.L) {
                    FloatVector g = FloatVector.fromArray(VectorMath.F, dout, o + i).mul(FloatVector.fromArray(VectorMath.F, w, i));
                    FloatVector d = g.mul(vs).sub(FloatVector.fromArray(VectorMath.F, x, o + i).mul(vk));
                    d.add(FloatVector.fromArray(VectorMath.F, dx, o + i)).intoArray(dx, o + i);
                }
                for (; i < c; i++) dx[o + i] += dout[o + i] * w[i] * s - x[o + i] * k;
            }
        });
        if (dw == null) return;
        // Parallel over column blocks, rows in order: a fixed sum order for every thread count.
        int blocks = (c + VectorMath.L - 1) / VectorMath.L;
        Parallel.forChunks(blocks, 4, (chunk, b0, b1) -> {
            int c0 = b0 * VectorMath.L, c1 = Math.min(c, b1 * VectorMath.L);
            int vEnd = c0 + VectorMath.F.loopBound(c1 - c0);
            for (int r = 0; r < rows; r++) {
                int o = r * c;
                float s = rstd[r];
                FloatVector vs = FloatVector.broadcast(VectorMath.F, s);
                for (int i = c0; i < vEnd; i += VectorMath.L) {
                    FloatVector n = FloatVector.fromArray(VectorMath.F, x, o + i).mul(vs);
                    FloatVector.fromArray(VectorMath.F, dout, o + i).fma(n, FloatVector.fromArray(VectorMath.F, dw, i))
                            .intoArray(dw, i);
                }
                for (int i = vEnd; i < c1; i++) dw[i] += dout[o + i] * (x[o + i] * s);
            }
        });
    }
}
