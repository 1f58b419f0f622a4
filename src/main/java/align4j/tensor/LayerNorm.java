package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * LayerNorm over the last dimension (GPT-2): out = (x − mean)·rstd·w + b with the biased variance
 * and rstd = 1/√(var + eps), as torch.nn.LayerNorm. Backward accumulates. The plain algorithm is
 * {@code LayerNormTest.reference} (src/test).
 */
public final class LayerNorm {
    private static final int MIN_ROWS = 8;

    private LayerNorm() {}

    /** out[rows, c]; mean[rows] and rstd[rows] are saved for backward. */
    public static void forward(float[] out, float[] mean, float[] rstd, float[] x, float[] w, float[] b,
                               int rows, int c, float eps) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                float m = VectorMath.sum(x, o, c) / c;
                float var = centredSquares(x, o, c, m) / c;
                float s = (float) (1.0 / StrictMath.sqrt(var + eps));
                mean[r] = m;
                rstd[r] = s;
                int i = 0;
                FloatVector vm = FloatVector.broadcast(VectorMath.F, m), vs = FloatVector.broadcast(VectorMath.F, s);
                for (int bound = VectorMath.F.loopBound(c); i < bound; i += VectorMath.L) {
                    FloatVector n = FloatVector.fromArray(VectorMath.F, x, o + i).sub(vm).mul(vs);
                    n.fma(FloatVector.fromArray(VectorMath.F, w, i), FloatVector.fromArray(VectorMath.F, b, i))
                            .intoArray(out, o + i);
                }
                for (; i < c; i++) out[o + i] = (x[o + i] - m) * s * w[i] + b[i];
            }
        });
    }

    /**
     * dx += ∂L/∂x; dw, db += (either may be null when frozen). With n = (x − mean)·rstd and
     * g = dout·w: dx = rstd·(g − mean(g) − n·mean(g·n)) (as llm.c layernorm_backward).
     */
    public static void backward(float[] dx, float[] dw, float[] db, float[] dout, float[] x, float[] w,
                                float[] mean, float[] rstd, int rows, int c) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                float m = mean[r], s = rstd[r];
                FloatVector vm = FloatVector.broadcast(VectorMath.F, m), vs = FloatVector.broadcast(VectorMath.F, s);
                FloatVector accG = FloatVector.zero(VectorMath.F), accGn = FloatVector.zero(VectorMath.F);
                int i = 0;
                int bound = VectorMath.F.loopBound(c);
                for (; i < bound; i += VectorMath.L) {
                    FloatVector n = FloatVector.fromArray(VectorMath.F, x, o + i).sub(vm).mul(vs);
                    FloatVector g = FloatVector.fromArray(VectorMath.F, dout, o + i).mul(FloatVector.fromArray(VectorMath.F, w, i));
                    accG = accG.add(g);
                    accGn = g.fma(n, accGn);
                }
                float sumG = VectorMath.sumLanes(accG);
                float sumGn = VectorMath.sumLanes(accGn);
                for (; i < c; i++) {
                    float g = dout[o + i] * w[i];
                    sumG += g;
                    sumGn += g * (x[o + i] - m) * s;
                }
                float meanG = sumG / c, meanGn = sumGn / c;
                FloatVector vmg = FloatVector.broadcast(VectorMath.F, meanG), vmgn = FloatVector.broadcast(VectorMath.F, meanGn);
                for (i = 0; i < bound; i += VectorMath.L) {
                    FloatVector n = FloatVector.fromArray(VectorMath.F, x, o + i).sub(vm).mul(vs);
                    FloatVector g = FloatVector.fromArray(VectorMath.F, dout, o + i).mul(FloatVector.fromArray(VectorMath.F, w, i));
                    FloatVector d = g.sub(vmg).sub(n.mul(vmgn)).mul(vs);
                    d.add(FloatVector.fromArray(VectorMath.F, dx, o + i)).intoArray(dx, o + i);
                }
                for (; i < c; i++) {
                    float n = (x[o + i] - m) * s;
                    dx[o + i] += (dout[o + i] * w[i] - meanG - n * meanGn) * s;
                }
            }
        });
        if (dw == null && db == null) return;
        // Weight gradients: parallel over column blocks, rows in order, so the sum order is fixed.
        int blocks = (c + VectorMath.L - 1) / VectorMath.L;
        Parallel.forChunks(blocks, 4, (chunk, b0, b1) -> {
            int c0 = b0 * VectorMath.L, c1 = Math.min(c, b1 * VectorMath.L);
            int vEnd = c0 + VectorMath.F.loopBound(c1 - c0);
            for (int r = 0; r < rows; r++) {
                int o = r * c;
                float m = mean[r], s = rstd[r];
                FloatVector vm = FloatVector.broadcast(VectorMath.F, m), vs = FloatVector.broadcast(VectorMath.F, s);
                for (int i = c0; i < vEnd; i += VectorMath.L) {
                    FloatVector d = FloatVector.fromArray(VectorMath.F, dout, o + i);
                    if (dw != null) {
                        FloatVector n = FloatVector.fromArray(VectorMath.F, x, o + i).sub(vm).mul(vs);
                        d.fma(n, FloatVector.fromArray(VectorMath.F, dw, i)).intoArray(dw, i);
                    }
                    if (db != null) d.add(FloatVector.fromArray(VectorMath.F, db, i)).intoArray(db, i);
                }
                for (int i = vEnd; i < c1; i++) {
                    float d = dout[o + i];
                    if (dw != null) dw[i] += d * ((x[o + i] - m) * s);
                    if (db != null) db[i] += d;
                }
            }
        });
    }

    /** Σ (x[o+i] − m)² for i < c. */
    private static float centredSquares(float[] x, int o, int c, float m) {
        FloatVector vm = FloatVector.broadcast(VectorMath.F, m), acc = FloatVector.zero(VectorMath.F);
        int i = 0;
        for (int bound = VectorMath.F.loopBound(c); i < bound; i += VectorMath.L) {
            FloatVector d = FloatVector.fromArray(VectorMath.F, x, o + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float s = VectorMath.sumLanes(acc);
        for (; i < c; i++) s += (x[o + i] - m) * (x[o + i] - m);
        return s;
    }
}
