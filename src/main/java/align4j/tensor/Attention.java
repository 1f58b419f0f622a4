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
 * horizontal reductions. Queries go in fixed blocks of eight rows; a block whose rows share their
 * key ranges up to the causal end runs the eight-query loops of {@link AttentionTiles}, which load
 * each key and value once for all eight (probabilities past a query's own end are set to 0); a block
 * that straddles a segment edge tries its two halves as four-query blocks, then goes row by row. All
 * paths give the same bits, so backward recomputes forward's probabilities exactly. Backward first tries
 * blocks of 32 ({@link #WIDE}), whose dK and dV accumulate over all 32 queries. Eight-query blocks and the
 * 32-query dK/dV are there because sharing key and value loads was the fastest measured layout; blocks on
 * the GEMM micro-kernel and masked softmax tails were tried and were slower at head size 64
 * (docs/performance.md#attention-kernels). Forward runs in parallel over (head, block); backward over query
 * heads, each writing dK/dV into its own buffer, summed per kv head in head order afterwards: results do
 * not depend on the thread count.
 *
 * <p>The plain algorithm is {@code AttentionTest.reference} (src/test): scores, masked softmax and weighted
 * sum in double, one query at a time; the tests compare this class with it and with finite differences.
 */
public final class Attention {
    /** Queries per block: eight where the block's rows share their key ranges, else four, else one. */
    private static final int B = 8, HALF = 4;
    /**
     * Backward blocks of 32 queries where all share their key ranges: their scores run as four eight-query
     * blocks, but dK and dV accumulate over all 32 ({@link AttentionTiles#accumulateRows}), so each key's
     * gradient rows are loaded and stored once per 32 queries instead of per eight, which sped up the slowest part
     * of the backward (docs/performance.md#attention-kernels).
     */
    private static final int WIDE = 32;
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
                if (shared(r, i0, rows, B)) {
                    forwardBlock(out, lse, qkv, kt, p, sums[chunk], r, sh, h, i0, B);
                    continue;
                }
                for (int j0 = i0; j0 < Math.min(rows, i0 + B); j0 += HALF) {
                    if (shared(r, j0, rows, HALF)) {
                        forwardBlock(out, lse, qkv, kt, p, sums[chunk], r, sh, h, j0, HALF);
                    } else {
                        for (int i = j0; i < Math.min(rows, j0 + HALF); i++) forwardOne(out, lse, qkv, kt, p, r, sh, h, i);
                    }
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
        // rows of p and ds one cache line apart modulo 4 KB, so a block's 32 rows spread over the L1 sets
        // (at a pitch of rowsPad = 3072 floats they all fell on the same sets)
        int pitch = sh.rowsPad + VectorMath.L;
        float[][] ps = s.perChunk(0, Parallel.threads(), WIDE * pitch);
        float[][] dss = s.perChunk(1, Parallel.threads(), WIDE * pitch);
        Parallel.forChunks(heads, 1, (chunk, h0, h1) -> {
            float[] p = ps[chunk], ds = dss[chunk];
            for (int h = h0; h < h1; h++) {
                int hb = h * rows * d;
                Arrays.fill(dk, hb, hb + rows * d, 0f);
                Arrays.fill(dv, hb, hb + rows * d, 0f);
                for (int w0 = 0; w0 < rows; w0 += WIDE) {
                    if (shared(r, w0, rows, WIDE)) {
                        backwardBlock(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, pitch, r, sh, h, w0, WIDE);
                        continue;
                    }
                    for (int i0 = w0; i0 < Math.min(rows, w0 + WIDE); i0 += B) {
                        if (shared(r, i0, rows, B)) {
                            backwardBlock(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, pitch, r, sh, h, i0, B);
                            continue;
                        }
                        for (int j0 = i0; j0 < Math.min(rows, i0 + B); j0 += HALF) {
                            if (shared(r, j0, rows, HALF)) {
                                backwardBlock(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, pitch, r, sh, h, j0, HALF);
                            } else {
                                for (int i = j0; i < Math.min(rows, j0 + HALF); i++) {
                                    backwardOne(dqkv, dk, dv, dout, out, lse, qkv, kt, vt, p, ds, r, sh, h, i);
                                }
                            }
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

    /** Rows i0..i0+n−1 (n = 4 or 8) share [a0, a1) and b0; row i's segment range ends at i + 1. */
    private static void forwardBlock(float[] out, float[] lse, float[] qkv, float[] kt, float[] p, float[] sums,
                                     int[] r, Shape sh, int h, int i0, int n) {
        int a0 = r[4 * i0], a1 = r[4 * i0 + 1], b0 = r[4 * i0 + 2], bEnd = i0 + n, d = sh.d, ps = sh.rowsPad;
        score(n, p, 0, ps, qkv, sh.q(i0, h), sh.stride, kt, sh.tiles(h), a0, a1, d, sh.scale);
        score(n, p, 0, ps, qkv, sh.q(i0, h), sh.stride, kt, sh.tiles(h), b0, bEnd, d, sh.scale);
        for (int q = 0; q < n; q++) {
            int i = i0 + q, oo = sh.o(i, h);
            Arrays.fill(out, oo, oo + d, 0f);
            sums[q] = softmax(p, q * ps, a0, a1, b0, i + 1, lse, i * sh.heads + h);
            Arrays.fill(p, q * ps + i + 1, q * ps + bEnd, 0f);
        }
        int oStride = sh.heads * d;
        weighted(n, out, sh.o(i0, h), oStride, p, 0, ps, a0, a1, qkv, sh.vCol(h), sh.stride, d);
        weighted(n, out, sh.o(i0, h), oStride, p, 0, ps, b0, bEnd, qkv, sh.vCol(h), sh.stride, d);
        for (int q = 0; q < n; q++) VectorMath.scale(1f / sums[q], out, sh.o(i0 + q, h), d);
    }

    /** The n-query score loops (n = 4 or 8) of {@link AttentionTiles}; scores of query q at s[so + q·ss + j]. */
    private static void score(int n, float[] s, int so, int ss, float[] x, int xo, int xs, float[] kt, int ktBase, int a, int b,
                              int d, float scale) {
        if (n == B) AttentionTiles.score8(s, so, ss, x, xo, xs, kt, ktBase, a, b, d, scale);
        else AttentionTiles.score4(s, so, ss, x, xo, xs, kt, ktBase, a, b, d, scale);
    }

    /** The n-query weighted sums (n = 4 or 8) of {@link AttentionTiles}; weights of query q at w[wo + q·ws + j]. */
    private static void weighted(int n, float[] y, int yo, int ys, float[] w, int wo, int ws, int a, int b, float[] m, int col,
                                 int stride, int d) {
        if (n == B) AttentionTiles.weighted8(y, yo, ys, w, wo, ws, a, b, m, col, stride, d);
        else AttentionTiles.weighted4(y, yo, ys, w, wo, ws, a, b, m, col, stride, d);
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

    /**
     * Rows i0..i0+n−1 (n = 4, 8 or 32) sharing their key ranges: scores, probabilities and dQ in blocks of at
     * most eight (each up to its own causal end), then dK and dV over all n queries at once. A query's p and ds
     * are zero from its own end to the block's, so the queries of an earlier sub-block add exact zeros to the
     * keys past their end, and every sum keeps its order (keys, then queries).
     */
    private static void backwardBlock(float[] dqkv, float[] dk, float[] dv, float[] dout, float[] out, float[] lse,
                                      float[] qkv, float[] kt, float[] vt, float[] p, float[] ds, int ps, int[] r, Shape sh,
                                      int h, int i0, int n) {
        int a0 = r[4 * i0], a1 = r[4 * i0 + 1], b0 = r[4 * i0 + 2], bEnd = i0 + n, d = sh.d, sub = Math.min(n, B);
        int qo = sh.q(i0, h), oo = sh.o(i0, h), oStride = sh.heads * d, tiles = sh.tiles(h), hb = h * sh.rows * d;
        for (int k = 0; k < n; k += sub) {
            int so = k * ps, end = i0 + k + sub, qk = sh.q(i0 + k, h), ok = sh.o(i0 + k, h);
            score(sub, p, so, ps, qkv, qk, sh.stride, kt, tiles, a0, a1, d, sh.scale);
            score(sub, p, so, ps, qkv, qk, sh.stride, kt, tiles, b0, end, d, sh.scale);
            score(sub, ds, so, ps, dout, ok, oStride, vt, tiles, a0, a1, d, 1f);
            score(sub, ds, so, ps, dout, ok, oStride, vt, tiles, b0, end, d, 1f);
        }
        for (int q = 0; q < n; q++) {
            int i = i0 + q, o = sh.o(i, h);
            probabilitiesAndGrad(p, ds, q * ps, a0, a1, b0, i + 1, lse[i * sh.heads + h], VectorMath.dot(dout, o, out, o, d), sh.scale);
            Arrays.fill(p, q * ps + i + 1, q * ps + bEnd, 0f);
            Arrays.fill(ds, q * ps + i + 1, q * ps + bEnd, 0f);
        }
        for (int k = 0; k < n; k += sub) {
            int qk = sh.q(i0 + k, h);
            weighted(sub, dqkv, qk, sh.stride, ds, k * ps, ps, a0, a1, qkv, sh.kCol(h), sh.stride, d);
            weighted(sub, dqkv, qk, sh.stride, ds, k * ps, ps, b0, i0 + k + sub, qkv, sh.kCol(h), sh.stride, d);
        }
        // dK += dSᵀ·Q and dV += Pᵀ·dO over the block's queries
        AttentionTiles.accumulateRows(dk, hb, ds, 0, ps, a0, a1, qkv, qo, sh.stride, d, n);
        AttentionTiles.accumulateRows(dk, hb, ds, 0, ps, b0, bEnd, qkv, qo, sh.stride, d, n);
        AttentionTiles.accumulateRows(dv, hb, p, 0, ps, a0, a1, dout, oo, oStride, d, n);
        AttentionTiles.accumulateRows(dv, hb, p, 0, ps, b0, bEnd, dout, oo, oStride, d, n);
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

    /** Whether rows i0..i0+n−1 exist and share their parent range and segment start, each ending at itself. */
    private static boolean shared(int[] r, int i0, int rows, int n) {
        if (i0 + n > rows) return false;
        // a parent range after the block would overlap the probabilities zeroed past each query's end
        if (r[4 * i0 + 1] > r[4 * i0 + 2] && r[4 * i0] < i0 + n) return false;
        for (int i = i0; i < i0 + n; i++) {
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
