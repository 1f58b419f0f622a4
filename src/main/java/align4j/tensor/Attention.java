package align4j.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Scaled dot-product attention with grouped-query heads on a packed row. qkv rows hold q (heads·D),
 * then k (kvHeads·D), then v (kvHeads·D); query head h reads kv head h / (heads / kvHeads). Scores
 * are scaled by 1/√D and masked by {@link AttentionMask}. Forward saves only the log-sum-exp per
 * (row, head); backward recomputes the probabilities from it (as FlashAttention does), so memory is
 * O(rows·heads), not O(rows²·heads).
 *
 * <p>Keys (and, in backward, values) are first copied per kv head into tiles of {@link VectorMath#L}
 * rows stored dimension-major, so one query's scores against L keys are D fused multiply-adds with
 * no horizontal reductions. Every score is the same sequential sum over d whichever tile path
 * computes it, so backward recomputes forward's probabilities bit for bit. Forward runs in parallel
 * over (head, query); backward over query heads, each writing dK/dV into its own buffer, which are
 * then summed per kv head in head order: results do not depend on the thread count.
 */
public final class Attention {
    private static final int L = VectorMath.L;
    private static final ThreadLocal<AttentionScratch> SCRATCH = ThreadLocal.withInitial(AttentionScratch::new);

    private Attention() {}

    /** out[rows, heads·D]; lse[rows·heads]. */
    public static void forward(float[] out, float[] lse, float[] qkv, AttentionMask mask,
                               int rows, int heads, int kvHeads, int headDim) {
        int d = headDim, stride = (heads + 2 * kvHeads) * d, group = heads / kvHeads, rowsPad = pad(rows);
        float scale = (float) (1.0 / Math.sqrt(d));
        AttentionScratch s = SCRATCH.get();
        float[] kt = s.kt(kvHeads * rowsPad * d);
        tile(kt, qkv, heads * d, rows, stride, kvHeads, d);
        int[] r = ranges(s.ranges(4 * rows), mask, rows);
        float[][] scores = s.perChunk(0, Parallel.threads(), rowsPad);
        Parallel.forChunks(heads * rows, 32, (chunk, t0, t1) -> {
            float[] p = scores[chunk];
            for (int t = t0; t < t1; t++) {
                int h = t / rows, i = t % rows, g = h / group;
                int a0 = r[4 * i], a1 = r[4 * i + 1], b0 = r[4 * i + 2], b1 = r[4 * i + 3];
                int qo = i * stride + h * d, ktBase = g * rowsPad * d;
                scoreRange(p, qkv, qo, kt, ktBase, a0, a1, d, scale);
                scoreRange(p, qkv, qo, kt, ktBase, b0, b1, d, scale);
                float m = Math.max(VectorMath.max(p, a0, a1 - a0), VectorMath.max(p, b0, b1 - b0));
                float sum = VectorMath.expShift(p, a0, p, a0, a1 - a0, m) + VectorMath.expShift(p, b0, p, b0, b1 - b0, m);
                int oo = i * heads * d + h * d, vo = heads * d + kvHeads * d + g * d;
                Arrays.fill(out, oo, oo + d, 0f);
                weightedRows(out, oo, p, a0, a1, qkv, vo, stride, d);
                weightedRows(out, oo, p, b0, b1, qkv, vo, stride, d);
                VectorMath.scale(1f / sum, out, oo, d);
                lse[i * heads + h] = m + (float) StrictMath.log(sum);
            }
        });
    }

    /** dqkv += ∂L/∂qkv given dout and the saved out and lse. */
    public static void backward(float[] dqkv, float[] dout, float[] out, float[] lse, float[] qkv,
                                AttentionMask mask, int rows, int heads, int kvHeads, int headDim) {
        int d = headDim, stride = (heads + 2 * kvHeads) * d, group = heads / kvHeads, rowsPad = pad(rows);
        float scale = (float) (1.0 / Math.sqrt(d));
        AttentionScratch s = SCRATCH.get();
        float[] kt = s.kt(kvHeads * rowsPad * d), vt = s.vt(kvHeads * rowsPad * d);
        tile(kt, qkv, heads * d, rows, stride, kvHeads, d);
        tile(vt, qkv, (heads + kvHeads) * d, rows, stride, kvHeads, d);
        float[] dk = s.dk(heads * rows * d), dv = s.dv(heads * rows * d);
        int[] r = ranges(s.ranges(4 * rows), mask, rows);
        float[][] ps = s.perChunk(0, Parallel.threads(), rowsPad), dss = s.perChunk(1, Parallel.threads(), rowsPad);
        Parallel.forChunks(heads, 1, (chunk, h0, h1) -> {
            float[] p = ps[chunk], ds = dss[chunk];
            for (int h = h0; h < h1; h++) {
                int g = h / group, ktBase = g * rowsPad * d, ko = heads * d + g * d, hb = h * rows * d;
                Arrays.fill(dk, hb, hb + rows * d, 0f);
                Arrays.fill(dv, hb, hb + rows * d, 0f);
                for (int i = 0; i < rows; i++) {
                    int a0 = r[4 * i], a1 = r[4 * i + 1], b0 = r[4 * i + 2], b1 = r[4 * i + 3];
                    int qo = i * stride + h * d, oo = i * heads * d + h * d;
                    float l = lse[i * heads + h];
                    scoreRange(p, qkv, qo, kt, ktBase, a0, a1, d, scale);
                    scoreRange(p, qkv, qo, kt, ktBase, b0, b1, d, scale);
                    VectorMath.expShift(p, a0, p, a0, a1 - a0, l);
                    VectorMath.expShift(p, b0, p, b0, b1 - b0, l);
                    scoreRange(ds, dout, oo, vt, ktBase, a0, a1, d, 1f);
                    scoreRange(ds, dout, oo, vt, ktBase, b0, b1, d, 1f);
                    float di = VectorMath.dot(dout, oo, out, oo, d);
                    // ds = scale·p∘(dP − Di): the 1/√D of dQ and dK folded in once
                    softmaxGrad(ds, p, a0, a1, di, scale);
                    softmaxGrad(ds, p, b0, b1, di, scale);
                    weightedRows(dqkv, qo, ds, a0, a1, qkv, ko, stride, d);
                    weightedRows(dqkv, qo, ds, b0, b1, qkv, ko, stride, d);
                    scatterRows(dk, hb, ds, a0, a1, qkv, qo, d);
                    scatterRows(dk, hb, ds, b0, b1, qkv, qo, d);
                    scatterRows(dv, hb, p, a0, a1, dout, oo, d);
                    scatterRows(dv, hb, p, b0, b1, dout, oo, d);
                }
            }
        });
        Parallel.forChunks(rows, 16, (chunk, j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                for (int h = 0; h < heads; h++) {
                    int g = h / group, src = h * rows * d + j * d;
                    VectorMath.add(dk, src, dqkv, j * stride + heads * d + g * d, d);
                    VectorMath.add(dv, src, dqkv, j * stride + (heads + kvHeads) * d + g * d, d);
                }
            }
        });
    }

    private static int pad(int rows) {
        return (rows + L - 1) / L * L;
    }

    /**
     * Fills r[4i .. 4i+3] with query i's key ranges [a0, a1) and [b0, b1) = [segStart, i]: the
     * parent range, emptied when absent and merged into the segment range when the two overlap or
     * touch.
     */
    private static int[] ranges(int[] r, AttentionMask mask, int rows) {
        for (int i = 0; i < rows; i++) {
            int a0 = mask.parentStart()[i], a1 = mask.parentEnd()[i], b0 = mask.segStart()[i], b1 = i + 1;
            if (a0 >= a1) {
                a0 = a1 = b0;
            } else if (a1 >= b0 && a0 <= b1) {
                b0 = Math.min(a0, b0);
                b1 = Math.max(a1, b1);
                a0 = a1 = b0;
            }
            r[4 * i] = a0;
            r[4 * i + 1] = a1;
            r[4 * i + 2] = b0;
            r[4 * i + 3] = b1;
        }
        return r;
    }

    /** Copies column block [col, col + kvHeads·d) of every row into tiles dst[g][row / L][d][row % L]. */
    private static void tile(float[] dst, float[] qkv, int col, int rows, int stride, int kvHeads, int d) {
        int rowsPad = pad(rows), tiles = rowsPad / L;
        Parallel.forChunks(kvHeads * tiles, 8, (chunk, t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int g = t / tiles, tile = t % tiles, base = g * rowsPad * d + tile * d * L;
                for (int lane = 0; lane < L; lane++) {
                    int j = tile * L + lane;
                    if (j >= rows) {
                        for (int k = 0; k < d; k++) dst[base + k * L + lane] = 0f;
                        continue;
                    }
                    int src = j * stride + col + g * d;
                    for (int k = 0; k < d; k++) dst[base + k * L + lane] = qkv[src + k];
                }
            }
        });
    }

    /**
     * s[j] = scale·Σ_k x[xo + k]·key_j[k] for the tiles covering keys [a, b) (entries of those tiles
     * outside the range are written too and ignored). Four tiles at a time keep four independent
     * FMA chains in flight.
     */
    private static void scoreRange(float[] s, float[] x, int xo, float[] kt, int ktBase, int a, int b, int d, float scale) {
        if (a >= b) return;
        int t = a / L, tEnd = (b - 1) / L + 1, tileSize = d * L;
        FloatVector vs = FloatVector.broadcast(VectorMath.F, scale);
        for (; t + 4 <= tEnd; t += 4) {
            int base = ktBase + t * tileSize;
            FloatVector c0 = FloatVector.zero(VectorMath.F), c1 = c0, c2 = c0, c3 = c0;
            for (int k = 0; k < d; k++) {
                FloatVector q = FloatVector.broadcast(VectorMath.F, x[xo + k]);
                int o = base + k * L;
                c0 = q.fma(FloatVector.fromArray(VectorMath.F, kt, o), c0);
                c1 = q.fma(FloatVector.fromArray(VectorMath.F, kt, o + tileSize), c1);
                c2 = q.fma(FloatVector.fromArray(VectorMath.F, kt, o + 2 * tileSize), c2);
                c3 = q.fma(FloatVector.fromArray(VectorMath.F, kt, o + 3 * tileSize), c3);
            }
            c0.mul(vs).intoArray(s, t * L);
            c1.mul(vs).intoArray(s, (t + 1) * L);
            c2.mul(vs).intoArray(s, (t + 2) * L);
            c3.mul(vs).intoArray(s, (t + 3) * L);
        }
        for (; t < tEnd; t++) {
            int base = ktBase + t * tileSize;
            FloatVector c = FloatVector.zero(VectorMath.F);
            for (int k = 0; k < d; k++) {
                c = FloatVector.broadcast(VectorMath.F, x[xo + k]).fma(FloatVector.fromArray(VectorMath.F, kt, base + k * L), c);
            }
            c.mul(vs).intoArray(s, t * L);
        }
    }

    /** ds[j] = scale·p[j]·(ds[j] − di) for j in [a, b), where ds holds dP on entry. */
    private static void softmaxGrad(float[] ds, float[] p, int a, int b, float di, float scale) {
        int j = a;
        FloatVector vdi = FloatVector.broadcast(VectorMath.F, di), vs = FloatVector.broadcast(VectorMath.F, scale);
        for (int bound = a + VectorMath.F.loopBound(b - a); j < bound; j += L) {
            FloatVector.fromArray(VectorMath.F, ds, j).sub(vdi).mul(FloatVector.fromArray(VectorMath.F, p, j)).mul(vs)
                    .intoArray(ds, j);
        }
        for (; j < b; j++) ds[j] = (ds[j] - di) * p[j] * scale;
    }

    /**
     * y[yo : yo + d] += Σ_{j ∈ [a, b)} w[j]·m[j·stride + col : … + d]. Four column vectors at a time
     * are held in registers across the keys.
     */
    private static void weightedRows(float[] y, int yo, float[] w, int a, int b, float[] m, int col, int stride, int d) {
        if (a >= b) return;
        int k = 0;
        for (; k + 4 * L <= d; k += 4 * L) {
            FloatVector y0 = FloatVector.fromArray(VectorMath.F, y, yo + k), y1 = FloatVector.fromArray(VectorMath.F, y, yo + k + L);
            FloatVector y2 = FloatVector.fromArray(VectorMath.F, y, yo + k + 2 * L), y3 = FloatVector.fromArray(VectorMath.F, y, yo + k + 3 * L);
            for (int j = a; j < b; j++) {
                FloatVector wj = FloatVector.broadcast(VectorMath.F, w[j]);
                int o = j * stride + col + k;
                y0 = FloatVector.fromArray(VectorMath.F, m, o).fma(wj, y0);
                y1 = FloatVector.fromArray(VectorMath.F, m, o + L).fma(wj, y1);
                y2 = FloatVector.fromArray(VectorMath.F, m, o + 2 * L).fma(wj, y2);
                y3 = FloatVector.fromArray(VectorMath.F, m, o + 3 * L).fma(wj, y3);
            }
            y0.intoArray(y, yo + k);
            y1.intoArray(y, yo + k + L);
            y2.intoArray(y, yo + k + 2 * L);
            y3.intoArray(y, yo + k + 3 * L);
        }
        for (; k + L <= d; k += L) {
            FloatVector y0 = FloatVector.fromArray(VectorMath.F, y, yo + k);
            for (int j = a; j < b; j++) {
                y0 = FloatVector.fromArray(VectorMath.F, m, j * stride + col + k).fma(FloatVector.broadcast(VectorMath.F, w[j]), y0);
            }
            y0.intoArray(y, yo + k);
        }
        for (; k < d; k++) {
            float acc = y[yo + k];
            for (int j = a; j < b; j++) acc += w[j] * m[j * stride + col + k];
            y[yo + k] = acc;
        }
    }

    /** dst[base + j·d : … + d] += w[j]·x[xo : xo + d] for j in [a, b). */
    private static void scatterRows(float[] dst, int base, float[] w, int a, int b, float[] x, int xo, int d) {
        for (int j = a; j < b; j++) VectorMath.axpy(w[j], x, xo, dst, base + j * d, d);
    }
}
