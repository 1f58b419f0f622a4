package align4j.tensor;

import static align4j.tensor.AttentionTiles.pad;

import java.util.Arrays;

/**
 * Scaled dot-product attention with grouped-query heads on a packed row. qkv rows hold q (heads·D),
 * then k (kvHeads·D), then v (kvHeads·D); query head h reads kv head h / (heads / kvHeads). Scores
 * are scaled by 1/√D and masked by {@link AttentionMask}. Forward saves only the log-sum-exp per
 * (row, head); backward recomputes the probabilities from it (as FlashAttention does), so memory is
 * O(rows·heads), not O(rows²·heads).
 *
 * <p>Keys (and, in backward, values) are first copied per kv head into tiles of {@link VectorMath#L}
 * rows stored dimension-major, so a query's scores against L keys are D fused multiply-adds with no
 * horizontal reductions. Queries go in fixed blocks of four rows; a block whose rows share their
 * key ranges up to the causal end runs the four-query loops of {@link AttentionTiles}, which load
 * each key once for all four (probabilities past a query's own end are set to 0). Both paths give
 * the same bits, so backward recomputes forward's probabilities exactly. Forward runs in parallel
 * over (head, block); backward over query heads, each writing dK/dV into its own buffer, summed per
 * kv head in head order afterwards: results do not depend on the thread count.
 *
 * <p>Tried and dropped (2026-11-23): blocks of 14 queries on the GEMM micro-kernel (scores with kc = D
 * against 32-key panels, P·V with P read in place), same bits, ran the forward of the small bench's
 * attention (8 pairs, 6 heads of 64) 1.2× slower than these four-query loops (6.9–7.4 vs 5.7–6.2 ms): at
 * D = 64 the per-tile zeroing, scaling and the extra key and value panel copies outweigh the shared loads.
 */
public final class Attention {
    private static final int B = 4;
    private static final ThreadLocal<AttentionScratch> SCRATCH = ThreadLocal.withInitial(AttentionScratch::new);

    private Attention() {}

    /** out[rows, heads·D]; lse[rows·heads]. */
    public static void forward(float[] out, float[] lse, float[] qkv, AttentionMask mask,
                               int rows, int heads, int kvHeads, int headDim) {
        Shape sh = new Shape(rows, heads, kvHeads, headDim);
        AttentionScratch s = SCRATCH.get();
        float[] kt = s.kt(kvHeads * sh.rowsPad * headDim);
        AttentionTiles.tile(kt, qkv, heads * headDim, rows, sh.stride, kvHeads, headDim);
        int[] r = ranges(s.ranges(4 * rows), mask, rows);
        float[][] scores = s.perChunk(0, Parallel.threads(), B * sh.rowsPad), sums = s.perChunk(2, Parallel.threads(), B);
        int blocks = (rows + B - 1) / B;
        Parallel.forChunks(heads * blocks, 8, (chunk, t0, t1) -> {
            float[] p = scores[chunk];
            for (int t = t0; t < t1; t++) {
                int h = t / blocks, i0 = t % blocks * B;
                if (shared(r, i0, rows)) {
                    forwardBlock(out, lse, qkv, kt, p, sums[chunk], r, sh, h, i0);
                } else {
                    for (int i = i0; i < Math.min(rows, i0 + B); i++) forwardOne(out, lse, qkv, kt, p, r, sh, h, i);
                }
            }
        });
    }

    /** dqkv += ∂L/∂qkv given dout and the saved out and lse. */
    public static void backward(float[] dqkv, float[] dout, float[] out, float[] lse, float[] qkv,
                                AttentionMask mask, int rows, int heads, int kvHeads, int headDim) {
        Shape sh = new Shape(rows, heads, kvHeads, headDim);
        int d = headDim, stride = sh.stride, group = heads / kvHeads;
        AttentionScratch s = SCRATCH.get();
        float[] kt = s.kt(kvHeads * sh.rowsPad * d), vt = s.vt(kvHeads * sh.rowsPad * d);
        AttentionTiles.tile(kt, qkv, heads * d, rows, stride, kvHeads, d);
        AttentionTiles.tile(vt, qkv, (heads + kvHeads) * d, rows, stride, kvHeads, d);
        float[] dk = s.dk(heads * rows * d), dv = s.dv(heads * rows * d);
        int[] r = ranges(s.ranges(4 * rows), mask, rows);
        float[][] ps = s.perChunk(0, Parallel.threads(), B * sh.rowsPad);
        float[][] dss = s.perChunk(1, Parallel.threads(), B * sh.rowsPad);
        Parallel.forChunks(heads, 1, (chunk, h0, h1) -> {
            float[] p = ps[chunk], ds = dss[chunk];
            for (int h = h0; h < h1; h++) {
                int hb = h * rows * d;
                Arrays.fill(dk, hb, hb + rows * d, 0f);
                Arrays.fill(dv, hb, hb + rows * d, 0f);
                for (int i0 = 0; i0 < rows; i0 += B) {
                    if (shared(r, i0, rows)) {
                        backwardBlock(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, r, sh, h, i0);
                    } else {
                        for (int i = i0; i < Math.min(rows, i0 + B); i++) {
                            backwardOne(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, r, sh, h, i);
                        }
                    }
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

    /** Sizes and offsets of one call. */
    private record Shape(int rows, int heads, int kvHeads, int d, int stride, int group, int rowsPad, float scale) {
        Shape(int rows, int heads, int kvHeads, int d) {
            if (kvHeads < 1 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("attention heads " + heads + " must be a multiple of kv heads " + kvHeads);
            }
            this(rows, heads, kvHeads, d, (heads + 2 * kvHeads) * d, heads / kvHeads, pad(rows),
                    (float) (1.0 / Math.sqrt(d)));
        }

        int q(int i, int h) {
            return i * stride + h * d;
        }

        int o(int i, int h) {
            return (i * heads + h) * d;
        }

        int kCol(int h) {
            return (heads + h / group) * d;
        }

        int vCol(int h) {
            return (heads + kvHeads + h / group) * d;
        }

        int tiles(int h) {
            return h / group * rowsPad * d;
        }
    }

    private static void forwardOne(float[] out, float[] lse, float[] qkv, float[] kt, float[] p, int[] r, Shape sh,
                                   int h, int i) {
        int a0 = r[4 * i], a1 = r[4 * i + 1], b0 = r[4 * i + 2], b1 = r[4 * i + 3], d = sh.d;
        AttentionTiles.score1(p, 0, qkv, sh.q(i, h), kt, sh.tiles(h), a0, a1, d, sh.scale);
        AttentionTiles.score1(p, 0, qkv, sh.q(i, h), kt, sh.tiles(h), b0, b1, d, sh.scale);
        int oo = sh.o(i, h);
        Arrays.fill(out, oo, oo + d, 0f);
        float sum = softmax(p, 0, a0, a1, b0, b1, lse, i * sh.heads + h);
        AttentionTiles.weighted1(out, oo, p, 0, a0, a1, qkv, sh.vCol(h), sh.stride, d);
        AttentionTiles.weighted1(out, oo, p, 0, b0, b1, qkv, sh.vCol(h), sh.stride, d);
        VectorMath.scale(1f / sum, out, oo, d);
    }

    /** Rows i0..i0+3 share [a0, a1) and b0; row i's segment range ends at i + 1. */
    private static void forwardBlock(float[] out, float[] lse, float[] qkv, float[] kt, float[] p, float[] sums,
                                     int[] r, Shape sh, int h, int i0) {
        int a0 = r[4 * i0], a1 = r[4 * i0 + 1], b0 = r[4 * i0 + 2], bEnd = i0 + B, d = sh.d, ps = sh.rowsPad;
        AttentionTiles.score4(p, 0, ps, qkv, sh.q(i0, h), sh.stride, kt, sh.tiles(h), a0, a1, d, sh.scale);
        AttentionTiles.score4(p, 0, ps, qkv, sh.q(i0, h), sh.stride, kt, sh.tiles(h), b0, bEnd, d, sh.scale);
        for (int q = 0; q < B; q++) {
            int i = i0 + q, oo = sh.o(i, h);
            Arrays.fill(out, oo, oo + d, 0f);
            sums[q] = softmax(p, q * ps, a0, a1, b0, i + 1, lse, i * sh.heads + h);
            Arrays.fill(p, q * ps + i + 1, q * ps + bEnd, 0f);
        }
        int oStride = sh.heads * d;
        AttentionTiles.weighted4(out, sh.o(i0, h), oStride, p, 0, ps, a0, a1, qkv, sh.vCol(h), sh.stride, d);
        AttentionTiles.weighted4(out, sh.o(i0, h), oStride, p, 0, ps, b0, bEnd, qkv, sh.vCol(h), sh.stride, d);
        for (int q = 0; q < B; q++) VectorMath.scale(1f / sums[q], out, sh.o(i0 + q, h), d);
    }

    /** p[po + j] = exp(s_j − max) over both ranges; saves lse; returns Σ exp. */
    private static float softmax(float[] p, int po, int a0, int a1, int b0, int b1, float[] lse, int li) {
        float m = Math.max(VectorMath.max(p, po + a0, a1 - a0), VectorMath.max(p, po + b0, b1 - b0));
        float sum = VectorMath.expShift(p, po + a0, p, po + a0, a1 - a0, m)
                + VectorMath.expShift(p, po + b0, p, po + b0, b1 - b0, m);
        lse[li] = m + (float) StrictMath.log(sum);
        return sum;
    }

    private static void backwardOne(float[] dqkv, float[] dk, float[] dv, float[] dout, float[] out, float[] lse,
                                    float[] qkv, float[] kt, float[] vt, float[] p, float[] ds, int[] r, Shape sh,
                                    int h, int i) {
        int a0 = r[4 * i], a1 = r[4 * i + 1], b0 = r[4 * i + 2], b1 = r[4 * i + 3], d = sh.d;
        int qo = sh.q(i, h), oo = sh.o(i, h), tiles = sh.tiles(h), hb = h * sh.rows * d;
        AttentionTiles.score1(p, 0, qkv, qo, kt, tiles, a0, a1, d, sh.scale);
        AttentionTiles.score1(p, 0, qkv, qo, kt, tiles, b0, b1, d, sh.scale);
        AttentionTiles.score1(ds, 0, dout, oo, vt, tiles, a0, a1, d, 1f);
        AttentionTiles.score1(ds, 0, dout, oo, vt, tiles, b0, b1, d, 1f);
        probabilitiesAndGrad(p, ds, 0, a0, a1, b0, b1, lse[i * sh.heads + h], VectorMath.dot(dout, oo, out, oo, d), sh.scale);
        AttentionTiles.weighted1(dqkv, qo, ds, 0, a0, a1, qkv, sh.kCol(h), sh.stride, d);
        AttentionTiles.weighted1(dqkv, qo, ds, 0, b0, b1, qkv, sh.kCol(h), sh.stride, d);
        AttentionTiles.scatter1(dk, dv, hb, ds, p, 0, a0, a1, qkv, qo, dout, oo, d);
        AttentionTiles.scatter1(dk, dv, hb, ds, p, 0, b0, b1, qkv, qo, dout, oo, d);
    }

    private static void backwardBlock(float[] dqkv, float[] dk, float[] dv, float[] dout, float[] out, float[] lse,
                                      float[] qkv, float[] kt, float[] vt, float[] p, float[] ds, int[] r, Shape sh,
                                      int h, int i0) {
        int a0 = r[4 * i0], a1 = r[4 * i0 + 1], b0 = r[4 * i0 + 2], bEnd = i0 + B, d = sh.d, ps = sh.rowsPad;
        int qo = sh.q(i0, h), oo = sh.o(i0, h), oStride = sh.heads * d, tiles = sh.tiles(h), hb = h * sh.rows * d;
        AttentionTiles.score4(p, 0, ps, qkv, qo, sh.stride, kt, tiles, a0, a1, d, sh.scale);
        AttentionTiles.score4(p, 0, ps, qkv, qo, sh.stride, kt, tiles, b0, bEnd, d, sh.scale);
        AttentionTiles.score4(ds, 0, ps, dout, oo, oStride, vt, tiles, a0, a1, d, 1f);
        AttentionTiles.score4(ds, 0, ps, dout, oo, oStride, vt, tiles, b0, bEnd, d, 1f);
        for (int q = 0; q < B; q++) {
            int i = i0 + q, o = sh.o(i, h);
            probabilitiesAndGrad(p, ds, q * ps, a0, a1, b0, i + 1, lse[i * sh.heads + h], VectorMath.dot(dout, o, out, o, d), sh.scale);
            Arrays.fill(p, q * ps + i + 1, q * ps + bEnd, 0f);
            Arrays.fill(ds, q * ps + i + 1, q * ps + bEnd, 0f);
        }
        AttentionTiles.weighted4(dqkv, qo, sh.stride, ds, 0, ps, a0, a1, qkv, sh.kCol(h), sh.stride, d);
        AttentionTiles.weighted4(dqkv, qo, sh.stride, ds, 0, ps, b0, bEnd, qkv, sh.kCol(h), sh.stride, d);
        AttentionTiles.scatter4(dk, dv, hb, ds, p, 0, ps, a0, a1, qkv, qo, sh.stride, dout, oo, oStride, d);
        AttentionTiles.scatter4(dk, dv, hb, ds, p, 0, ps, b0, bEnd, qkv, qo, sh.stride, dout, oo, oStride, d);
    }

    /**
     * p = exp(s − lse) and, from dP held in ds, ds = scale·p∘(dP − Di) with Di = dO·O: the 1/√D of
     * dQ and dK folded in once.
     */
    private static void probabilitiesAndGrad(float[] p, float[] ds, int po, int a0, int a1, int b0, int b1, float l,
                                             float di, float scale) {
        VectorMath.expShift(p, po + a0, p, po + a0, a1 - a0, l);
        VectorMath.expShift(p, po + b0, p, po + b0, b1 - b0, l);
        AttentionTiles.softmaxGrad(ds, p, po + a0, po + a1, di, scale);
        AttentionTiles.softmaxGrad(ds, p, po + b0, po + b1, di, scale);
    }

    /** Whether rows i0..i0+3 exist and share their parent range and segment start, each ending at itself. */
    private static boolean shared(int[] r, int i0, int rows) {
        if (i0 + B > rows) return false;
        // a parent range after the block would overlap the probabilities zeroed past each query's end
        if (r[4 * i0 + 1] > r[4 * i0 + 2] && r[4 * i0] < i0 + B) return false;
        for (int i = i0; i < i0 + B; i++) {
            if (r[4 * i] != r[4 * i0] || r[4 * i + 1] != r[4 * i0 + 1] || r[4 * i + 2] != r[4 * i0 + 2]
                    || r[4 * i + 3] != i + 1) return false;
        }
        return true;
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
}
