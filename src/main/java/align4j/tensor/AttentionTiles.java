package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loops of {@link Attention}, for one query or a block of four or eight queries of the same
 * head (a block shares every key and value load, which is what bounds the one-query loops), and the
 * dK/dV accumulation over a block of queries. Each output element is the same sequence of operations in
 * every variant (a score is a fused multiply-add chain over d from zero, then ·scale; sums over keys
 * run in key order, then query order), so the paths agree bit for bit and a query's result does not
 * depend on its block. The plain algorithm is {@code AttentionTest.reference} (src/test).
 */
final class AttentionTiles {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = VectorMath.L;

    private AttentionTiles() {}

    static int pad(int rows) {
        return (rows + L - 1) / L * L;
    }

    /** Copies column block [col, col + kvHeads·d) of every row into tiles dst[g][row / L][d][row % L]. */
    static void tile(float[] dst, float[] qkv, int col, int rows, int stride, int kvHeads, int d) {
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
     * s[so + j] = scale·Σ_k x[xo + k]·key_j[k] for the tiles covering keys [a, b) (entries of those
     * tiles outside the range are written too, with true scores). Four tiles at a time keep four
     * independent FMA chains in flight.
     */
    static void score1(float[] s, int so, float[] x, int xo, float[] kt, int ktBase, int a, int b, int d, float scale) {
        if (a >= b) return;
        int t = a / L, tEnd = (b - 1) / L + 1, tileSize = d * L;
        for (; t + 4 <= tEnd; t += 4) {
            int base = ktBase + t * tileSize;
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int k = 0; k < d; k++) {
                FloatVector q = FloatVector.broadcast(F, x[xo + k]);
                int o = base + k * L;
                c0 = q.fma(FloatVector.fromArray(F, kt, o), c0);
                c1 = q.fma(FloatVector.fromArray(F, kt, o + tileSize), c1);
                c2 = q.fma(FloatVector.fromArray(F, kt, o + 2 * tileSize), c2);
                c3 = q.fma(FloatVector.fromArray(F, kt, o + 3 * tileSize), c3);
            }
            c0.mul(scale).intoArray(s, so + t * L);
            c1.mul(scale).intoArray(s, so + (t + 1) * L);
            c2.mul(scale).intoArray(s, so + (t + 2) * L);
            c3.mul(scale).intoArray(s, so + (t + 3) * L);
        }
        for (; t < tEnd; t++) {
            int base = ktBase + t * tileSize;
            FloatVector c = FloatVector.zero(F);
            for (int k = 0; k < d; k++) c = FloatVector.broadcast(F, x[xo + k]).fma(FloatVector.fromArray(F, kt, base + k * L), c);
            c.mul(scale).intoArray(s, so + t * L);
        }
    }

    /** score1 for four queries x[xo + q·xs …] into s[so + q·ss + j], q < 4, two tiles at a time. */
    static void score4(float[] s, int so, int ss, float[] x, int xo, int xs, float[] kt, int ktBase, int a, int b,
                       int d, float scale) {
        if (a >= b) return;
        int t = a / L, tEnd = (b - 1) / L + 1, tileSize = d * L;
        // four tiles × four queries: 16 chains on 8 loads per k (two tiles: 8 chains on 6 loads)
        for (; t + 4 <= tEnd; t += 4) {
            int base = ktBase + t * tileSize;
            FloatVector z = FloatVector.zero(F), c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z,
                    c20 = z, c21 = z, c22 = z, c23 = z, c30 = z, c31 = z, c32 = z, c33 = z;
            for (int k = 0; k < d; k++) {
                int o = base + k * L;
                FloatVector k0 = FloatVector.fromArray(F, kt, o), k1 = FloatVector.fromArray(F, kt, o + tileSize);
                FloatVector k2 = FloatVector.fromArray(F, kt, o + 2 * tileSize), k3 = FloatVector.fromArray(F, kt, o + 3 * tileSize);
                FloatVector q = FloatVector.broadcast(F, x[xo + k]);
                c00 = q.fma(k0, c00); c01 = q.fma(k1, c01); c02 = q.fma(k2, c02); c03 = q.fma(k3, c03);
                q = FloatVector.broadcast(F, x[xo + xs + k]);
                c10 = q.fma(k0, c10); c11 = q.fma(k1, c11); c12 = q.fma(k2, c12); c13 = q.fma(k3, c13);
                q = FloatVector.broadcast(F, x[xo + 2 * xs + k]);
                c20 = q.fma(k0, c20); c21 = q.fma(k1, c21); c22 = q.fma(k2, c22); c23 = q.fma(k3, c23);
                q = FloatVector.broadcast(F, x[xo + 3 * xs + k]);
                c30 = q.fma(k0, c30); c31 = q.fma(k1, c31); c32 = q.fma(k2, c32); c33 = q.fma(k3, c33);
            }
            int o = so + t * L;
            c00.mul(scale).intoArray(s, o); c01.mul(scale).intoArray(s, o + L);
            c02.mul(scale).intoArray(s, o + 2 * L); c03.mul(scale).intoArray(s, o + 3 * L);
            o += ss;
            c10.mul(scale).intoArray(s, o); c11.mul(scale).intoArray(s, o + L);
            c12.mul(scale).intoArray(s, o + 2 * L); c13.mul(scale).intoArray(s, o + 3 * L);
            o += ss;
            c20.mul(scale).intoArray(s, o); c21.mul(scale).intoArray(s, o + L);
            c22.mul(scale).intoArray(s, o + 2 * L); c23.mul(scale).intoArray(s, o + 3 * L);
            o += ss;
            c30.mul(scale).intoArray(s, o); c31.mul(scale).intoArray(s, o + L);
            c32.mul(scale).intoArray(s, o + 2 * L); c33.mul(scale).intoArray(s, o + 3 * L);
        }
        for (; t + 2 <= tEnd; t += 2) {
            int base = ktBase + t * tileSize;
            FloatVector z = FloatVector.zero(F), c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
            for (int k = 0; k < d; k++) {
                FloatVector k0 = FloatVector.fromArray(F, kt, base + k * L);
                FloatVector k1 = FloatVector.fromArray(F, kt, base + tileSize + k * L);
                FloatVector q0 = FloatVector.broadcast(F, x[xo + k]), q1 = FloatVector.broadcast(F, x[xo + xs + k]);
                FloatVector q2 = FloatVector.broadcast(F, x[xo + 2 * xs + k]), q3 = FloatVector.broadcast(F, x[xo + 3 * xs + k]);
                c00 = q0.fma(k0, c00);
                c01 = q0.fma(k1, c01);
                c10 = q1.fma(k0, c10);
                c11 = q1.fma(k1, c11);
                c20 = q2.fma(k0, c20);
                c21 = q2.fma(k1, c21);
                c30 = q3.fma(k0, c30);
                c31 = q3.fma(k1, c31);
            }
            int o = so + t * L;
            c00.mul(scale).intoArray(s, o);
            c01.mul(scale).intoArray(s, o + L);
            c10.mul(scale).intoArray(s, o + ss);
            c11.mul(scale).intoArray(s, o + ss + L);
            c20.mul(scale).intoArray(s, o + 2 * ss);
            c21.mul(scale).intoArray(s, o + 2 * ss + L);
            c30.mul(scale).intoArray(s, o + 3 * ss);
            c31.mul(scale).intoArray(s, o + 3 * ss + L);
        }
        if (t < tEnd) {
            int base = ktBase + t * tileSize;
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int k = 0; k < d; k++) {
                FloatVector k0 = FloatVector.fromArray(F, kt, base + k * L);
                c0 = FloatVector.broadcast(F, x[xo + k]).fma(k0, c0);
                c1 = FloatVector.broadcast(F, x[xo + xs + k]).fma(k0, c1);
                c2 = FloatVector.broadcast(F, x[xo + 2 * xs + k]).fma(k0, c2);
                c3 = FloatVector.broadcast(F, x[xo + 3 * xs + k]).fma(k0, c3);
            }
            int o = so + t * L;
            c0.mul(scale).intoArray(s, o);
            c1.mul(scale).intoArray(s, o + ss);
            c2.mul(scale).intoArray(s, o + 2 * ss);
            c3.mul(scale).intoArray(s, o + 3 * ss);
        }
    }

    /**
     * score1 for eight queries x[xo + q·xs …] into s[so + q·ss + j], q &lt; 8, two tiles at a time: 16 chains
     * on 10 loads per k, each key load shared by eight queries (the four-query loops share it by four, and
     * streamed the keys from L2 at about half the rate the FMAs needed).
     */
    static void score8(float[] s, int so, int ss, float[] x, int xo, int xs, float[] kt, int ktBase, int a, int b,
                       int d, float scale) {
        if (a >= b) return;
        int t = a / L, tEnd = (b - 1) / L + 1, tileSize = d * L;
        int x0 = xo, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs, x4 = x3 + xs, x5 = x4 + xs, x6 = x5 + xs, x7 = x6 + xs;
        for (; t + 2 <= tEnd; t += 2) {
            int base = ktBase + t * tileSize;
            FloatVector z = FloatVector.zero(F), c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z,
                    c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
            for (int k = 0; k < d; k++) {
                int o = base + k * L;
                FloatVector k0 = FloatVector.fromArray(F, kt, o), k1 = FloatVector.fromArray(F, kt, o + tileSize);
                FloatVector q = FloatVector.broadcast(F, x[x0 + k]);
                c00 = q.fma(k0, c00); c01 = q.fma(k1, c01);
                q = FloatVector.broadcast(F, x[x1 + k]);
                c10 = q.fma(k0, c10); c11 = q.fma(k1, c11);
                q = FloatVector.broadcast(F, x[x2 + k]);
                c20 = q.fma(k0, c20); c21 = q.fma(k1, c21);
                q = FloatVector.broadcast(F, x[x3 + k]);
                c30 = q.fma(k0, c30); c31 = q.fma(k1, c31);
                q = FloatVector.broadcast(F, x[x4 + k]);
                c40 = q.fma(k0, c40); c41 = q.fma(k1, c41);
                q = FloatVector.broadcast(F, x[x5 + k]);
                c50 = q.fma(k0, c50); c51 = q.fma(k1, c51);
                q = FloatVector.broadcast(F, x[x6 + k]);
                c60 = q.fma(k0, c60); c61 = q.fma(k1, c61);
                q = FloatVector.broadcast(F, x[x7 + k]);
                c70 = q.fma(k0, c70); c71 = q.fma(k1, c71);
            }
            int o = so + t * L;
            c00.mul(scale).intoArray(s, o); c01.mul(scale).intoArray(s, o + L);
            o += ss;
            c10.mul(scale).intoArray(s, o); c11.mul(scale).intoArray(s, o + L);
            o += ss;
            c20.mul(scale).intoArray(s, o); c21.mul(scale).intoArray(s, o + L);
            o += ss;
            c30.mul(scale).intoArray(s, o); c31.mul(scale).intoArray(s, o + L);
            o += ss;
            c40.mul(scale).intoArray(s, o); c41.mul(scale).intoArray(s, o + L);
            o += ss;
            c50.mul(scale).intoArray(s, o); c51.mul(scale).intoArray(s, o + L);
            o += ss;
            c60.mul(scale).intoArray(s, o); c61.mul(scale).intoArray(s, o + L);
            o += ss;
            c70.mul(scale).intoArray(s, o); c71.mul(scale).intoArray(s, o + L);
        }
        if (t < tEnd) {
            int base = ktBase + t * tileSize;
            FloatVector z = FloatVector.zero(F), c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
            for (int k = 0; k < d; k++) {
                FloatVector k0 = FloatVector.fromArray(F, kt, base + k * L);
                c0 = FloatVector.broadcast(F, x[x0 + k]).fma(k0, c0);
                c1 = FloatVector.broadcast(F, x[x1 + k]).fma(k0, c1);
                c2 = FloatVector.broadcast(F, x[x2 + k]).fma(k0, c2);
                c3 = FloatVector.broadcast(F, x[x3 + k]).fma(k0, c3);
                c4 = FloatVector.broadcast(F, x[x4 + k]).fma(k0, c4);
                c5 = FloatVector.broadcast(F, x[x5 + k]).fma(k0, c5);
                c6 = FloatVector.broadcast(F, x[x6 + k]).fma(k0, c6);
                c7 = FloatVector.broadcast(F, x[x7 + k]).fma(k0, c7);
            }
            int o = so + t * L;
            c0.mul(scale).intoArray(s, o);
            c1.mul(scale).intoArray(s, o + ss);
            c2.mul(scale).intoArray(s, o + 2 * ss);
            c3.mul(scale).intoArray(s, o + 3 * ss);
            c4.mul(scale).intoArray(s, o + 4 * ss);
            c5.mul(scale).intoArray(s, o + 5 * ss);
            c6.mul(scale).intoArray(s, o + 6 * ss);
            c7.mul(scale).intoArray(s, o + 7 * ss);
        }
    }

    /** ds[j] = scale·p[j]·(ds[j] − di) for j in [a, b), where ds holds dP on entry. */
    static void softmaxGrad(float[] ds, float[] p, int a, int b, float di, float scale) {
        int j = a;
        FloatVector vdi = FloatVector.broadcast(F, di);
        for (int bound = a + F.loopBound(b - a); j < bound; j += L) {
            FloatVector.fromArray(F, ds, j).sub(vdi).mul(FloatVector.fromArray(F, p, j)).mul(scale).intoArray(ds, j);
        }
        for (; j < b; j++) ds[j] = (ds[j] - di) * p[j] * scale;
    }

    /**
     * y[yo : yo + d] += Σ_{j ∈ [a, b)} w[wo + j]·m[j·stride + col : … + d]. Four column vectors at a
     * time are held in registers across the keys.
     */
    static void weighted1(float[] y, int yo, float[] w, int wo, int a, int b, float[] m, int col, int stride, int d) {
        if (a >= b) return;
        int k = 0;
        for (; k + 4 * L <= d; k += 4 * L) {
            FloatVector y0 = FloatVector.fromArray(F, y, yo + k), y1 = FloatVector.fromArray(F, y, yo + k + L);
            FloatVector y2 = FloatVector.fromArray(F, y, yo + k + 2 * L), y3 = FloatVector.fromArray(F, y, yo + k + 3 * L);
            for (int j = a; j < b; j++) {
                FloatVector wj = FloatVector.broadcast(F, w[wo + j]);
                int o = j * stride + col + k;
                y0 = FloatVector.fromArray(F, m, o).fma(wj, y0);
                y1 = FloatVector.fromArray(F, m, o + L).fma(wj, y1);
                y2 = FloatVector.fromArray(F, m, o + 2 * L).fma(wj, y2);
                y3 = FloatVector.fromArray(F, m, o + 3 * L).fma(wj, y3);
            }
            y0.intoArray(y, yo + k);
            y1.intoArray(y, yo + k + L);
            y2.intoArray(y, yo + k + 2 * L);
            y3.intoArray(y, yo + k + 3 * L);
        }
        weightedTail(y, yo, w, wo, a, b, m, col, stride, k, d);
    }

    /** weighted1 for four queries: y[yo + q·ys …] with weights w[wo + q·ws + j], q < 4, two column vectors at a time. */
    static void weighted4(float[] y, int yo, int ys, float[] w, int wo, int ws, int a, int b, float[] m, int col,
                          int stride, int d) {
        if (a >= b) return;
        int k = 0;
        // four column vectors × four queries: 16 chains on 8 loads per key (two vectors: 8 chains on 6 loads)
        for (; k + 4 * L <= d; k += 4 * L) {
            int o0 = yo + k, o1 = o0 + ys, o2 = o1 + ys, o3 = o2 + ys;
            FloatVector y00 = FloatVector.fromArray(F, y, o0), y01 = FloatVector.fromArray(F, y, o0 + L),
                    y02 = FloatVector.fromArray(F, y, o0 + 2 * L), y03 = FloatVector.fromArray(F, y, o0 + 3 * L);
            FloatVector y10 = FloatVector.fromArray(F, y, o1), y11 = FloatVector.fromArray(F, y, o1 + L),
                    y12 = FloatVector.fromArray(F, y, o1 + 2 * L), y13 = FloatVector.fromArray(F, y, o1 + 3 * L);
            FloatVector y20 = FloatVector.fromArray(F, y, o2), y21 = FloatVector.fromArray(F, y, o2 + L),
                    y22 = FloatVector.fromArray(F, y, o2 + 2 * L), y23 = FloatVector.fromArray(F, y, o2 + 3 * L);
            FloatVector y30 = FloatVector.fromArray(F, y, o3), y31 = FloatVector.fromArray(F, y, o3 + L),
                    y32 = FloatVector.fromArray(F, y, o3 + 2 * L), y33 = FloatVector.fromArray(F, y, o3 + 3 * L);
            for (int j = a; j < b; j++) {
                int o = j * stride + col + k;
                FloatVector m0 = FloatVector.fromArray(F, m, o), m1 = FloatVector.fromArray(F, m, o + L);
                FloatVector m2 = FloatVector.fromArray(F, m, o + 2 * L), m3 = FloatVector.fromArray(F, m, o + 3 * L);
                FloatVector wq = FloatVector.broadcast(F, w[wo + j]);
                y00 = m0.fma(wq, y00); y01 = m1.fma(wq, y01); y02 = m2.fma(wq, y02); y03 = m3.fma(wq, y03);
                wq = FloatVector.broadcast(F, w[wo + ws + j]);
                y10 = m0.fma(wq, y10); y11 = m1.fma(wq, y11); y12 = m2.fma(wq, y12); y13 = m3.fma(wq, y13);
                wq = FloatVector.broadcast(F, w[wo + 2 * ws + j]);
                y20 = m0.fma(wq, y20); y21 = m1.fma(wq, y21); y22 = m2.fma(wq, y22); y23 = m3.fma(wq, y23);
                wq = FloatVector.broadcast(F, w[wo + 3 * ws + j]);
                y30 = m0.fma(wq, y30); y31 = m1.fma(wq, y31); y32 = m2.fma(wq, y32); y33 = m3.fma(wq, y33);
            }
            y00.intoArray(y, o0); y01.intoArray(y, o0 + L); y02.intoArray(y, o0 + 2 * L); y03.intoArray(y, o0 + 3 * L);
            y10.intoArray(y, o1); y11.intoArray(y, o1 + L); y12.intoArray(y, o1 + 2 * L); y13.intoArray(y, o1 + 3 * L);
            y20.intoArray(y, o2); y21.intoArray(y, o2 + L); y22.intoArray(y, o2 + 2 * L); y23.intoArray(y, o2 + 3 * L);
            y30.intoArray(y, o3); y31.intoArray(y, o3 + L); y32.intoArray(y, o3 + 2 * L); y33.intoArray(y, o3 + 3 * L);
        }
        for (; k + 2 * L <= d; k += 2 * L) {
            int o0 = yo + k, o1 = o0 + ys, o2 = o1 + ys, o3 = o2 + ys;
            FloatVector y00 = FloatVector.fromArray(F, y, o0), y01 = FloatVector.fromArray(F, y, o0 + L);
            FloatVector y10 = FloatVector.fromArray(F, y, o1), y11 = FloatVector.fromArray(F, y, o1 + L);
            FloatVector y20 = FloatVector.fromArray(F, y, o2), y21 = FloatVector.fromArray(F, y, o2 + L);
            FloatVector y30 = FloatVector.fromArray(F, y, o3), y31 = FloatVector.fromArray(F, y, o3 + L);
            for (int j = a; j < b; j++) {
                int o = j * stride + col + k;
                FloatVector m0 = FloatVector.fromArray(F, m, o), m1 = FloatVector.fromArray(F, m, o + L);
                FloatVector w0 = FloatVector.broadcast(F, w[wo + j]), w1 = FloatVector.broadcast(F, w[wo + ws + j]);
                FloatVector w2 = FloatVector.broadcast(F, w[wo + 2 * ws + j]), w3 = FloatVector.broadcast(F, w[wo + 3 * ws + j]);
                y00 = m0.fma(w0, y00);
                y01 = m1.fma(w0, y01);
                y10 = m0.fma(w1, y10);
                y11 = m1.fma(w1, y11);
                y20 = m0.fma(w2, y20);
                y21 = m1.fma(w2, y21);
                y30 = m0.fma(w3, y30);
                y31 = m1.fma(w3, y31);
            }
            y00.intoArray(y, o0);
            y01.intoArray(y, o0 + L);
            y10.intoArray(y, o1);
            y11.intoArray(y, o1 + L);
            y20.intoArray(y, o2);
            y21.intoArray(y, o2 + L);
            y30.intoArray(y, o3);
            y31.intoArray(y, o3 + L);
        }
        if (k < d) {
            for (int q = 0; q < 4; q++) weightedTail(y, yo + q * ys, w, wo + q * ws, a, b, m, col, stride, k, d);
        }
    }

    /**
     * weighted1 for eight queries: y[yo + q·ys …] with weights w[wo + q·ws + j], q &lt; 8, two column vectors
     * at a time (16 chains on 10 loads per key, each value load shared by eight queries).
     */
    static void weighted8(float[] y, int yo, int ys, float[] w, int wo, int ws, int a, int b, float[] m, int col,
                          int stride, int d) {
        if (a >= b) return;
        int k = 0;
        int w0 = wo, w1 = w0 + ws, w2 = w1 + ws, w3 = w2 + ws, w4 = w3 + ws, w5 = w4 + ws, w6 = w5 + ws, w7 = w6 + ws;
        for (; k + 2 * L <= d; k += 2 * L) {
            int o0 = yo + k, o1 = o0 + ys, o2 = o1 + ys, o3 = o2 + ys, o4 = o3 + ys, o5 = o4 + ys, o6 = o5 + ys, o7 = o6 + ys;
            FloatVector y00 = FloatVector.fromArray(F, y, o0), y01 = FloatVector.fromArray(F, y, o0 + L);
            FloatVector y10 = FloatVector.fromArray(F, y, o1), y11 = FloatVector.fromArray(F, y, o1 + L);
            FloatVector y20 = FloatVector.fromArray(F, y, o2), y21 = FloatVector.fromArray(F, y, o2 + L);
            FloatVector y30 = FloatVector.fromArray(F, y, o3), y31 = FloatVector.fromArray(F, y, o3 + L);
            FloatVector y40 = FloatVector.fromArray(F, y, o4), y41 = FloatVector.fromArray(F, y, o4 + L);
            FloatVector y50 = FloatVector.fromArray(F, y, o5), y51 = FloatVector.fromArray(F, y, o5 + L);
            FloatVector y60 = FloatVector.fromArray(F, y, o6), y61 = FloatVector.fromArray(F, y, o6 + L);
            FloatVector y70 = FloatVector.fromArray(F, y, o7), y71 = FloatVector.fromArray(F, y, o7 + L);
            for (int j = a; j < b; j++) {
                int o = j * stride + col + k;
                FloatVector m0 = FloatVector.fromArray(F, m, o), m1 = FloatVector.fromArray(F, m, o + L);
                FloatVector wq = FloatVector.broadcast(F, w[w0 + j]);
                y00 = m0.fma(wq, y00); y01 = m1.fma(wq, y01);
                wq = FloatVector.broadcast(F, w[w1 + j]);
                y10 = m0.fma(wq, y10); y11 = m1.fma(wq, y11);
                wq = FloatVector.broadcast(F, w[w2 + j]);
                y20 = m0.fma(wq, y20); y21 = m1.fma(wq, y21);
                wq = FloatVector.broadcast(F, w[w3 + j]);
                y30 = m0.fma(wq, y30); y31 = m1.fma(wq, y31);
                wq = FloatVector.broadcast(F, w[w4 + j]);
                y40 = m0.fma(wq, y40); y41 = m1.fma(wq, y41);
                wq = FloatVector.broadcast(F, w[w5 + j]);
                y50 = m0.fma(wq, y50); y51 = m1.fma(wq, y51);
                wq = FloatVector.broadcast(F, w[w6 + j]);
                y60 = m0.fma(wq, y60); y61 = m1.fma(wq, y61);
                wq = FloatVector.broadcast(F, w[w7 + j]);
                y70 = m0.fma(wq, y70); y71 = m1.fma(wq, y71);
            }
            y00.intoArray(y, o0); y01.intoArray(y, o0 + L);
            y10.intoArray(y, o1); y11.intoArray(y, o1 + L);
            y20.intoArray(y, o2); y21.intoArray(y, o2 + L);
            y30.intoArray(y, o3); y31.intoArray(y, o3 + L);
            y40.intoArray(y, o4); y41.intoArray(y, o4 + L);
            y50.intoArray(y, o5); y51.intoArray(y, o5 + L);
            y60.intoArray(y, o6); y61.intoArray(y, o6 + L);
            y70.intoArray(y, o7); y71.intoArray(y, o7 + L);
        }
        if (k < d) {
            for (int q = 0; q < 8; q++) weightedTail(y, yo + q * ys, w, wo + q * ws, a, b, m, col, stride, k, d);
        }
    }

    /** weighted1 restricted to columns [k, d), in weighted1's order: vectors of L, then scalars. */
    private static void weightedTail(float[] y, int yo, float[] w, int wo, int a, int b, float[] m, int col, int stride,
                                     int k, int d) {
        for (; k + L <= d; k += L) {
            FloatVector y0 = FloatVector.fromArray(F, y, yo + k);
            for (int j = a; j < b; j++) y0 = FloatVector.fromArray(F, m, j * stride + col + k).fma(FloatVector.broadcast(F, w[wo + j]), y0);
            y0.intoArray(y, yo + k);
        }
        for (; k < d; k++) {
            float acc = y[yo + k];
            for (int j = a; j < b; j++) acc = Math.fma(m[j * stride + col + k], w[wo + j], acc);
            y[yo + k] = acc;
        }
    }

    /**
     * For j in [a, b): dk[base + j·d …] += wk[wo + j]·x[xo …] and dv[base + j·d …] += wv[wo + j]·y[yo …],
     * d columns each; x and y are held in registers one block of 2·L columns at a time.
     */
    static void scatter1(float[] dk, float[] dv, int base, float[] wk, float[] wv, int wo, int a, int b,
                         float[] x, int xo, float[] y, int yo, int d) {
        int k = 0;
        for (; k + 2 * L <= d; k += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + k), x1 = FloatVector.fromArray(F, x, xo + k + L);
            FloatVector y0 = FloatVector.fromArray(F, y, yo + k), y1 = FloatVector.fromArray(F, y, yo + k + L);
            for (int j = a; j < b; j++) {
                FloatVector vk = FloatVector.broadcast(F, wk[wo + j]), vv = FloatVector.broadcast(F, wv[wo + j]);
                int o = base + j * d + k;
                x0.fma(vk, FloatVector.fromArray(F, dk, o)).intoArray(dk, o);
                x1.fma(vk, FloatVector.fromArray(F, dk, o + L)).intoArray(dk, o + L);
                y0.fma(vv, FloatVector.fromArray(F, dv, o)).intoArray(dv, o);
                y1.fma(vv, FloatVector.fromArray(F, dv, o + L)).intoArray(dv, o + L);
            }
        }
        if (k < d) {
            for (int j = a; j < b; j++) {
                scatterTail(dk, base + j * d, wk[wo + j], x, xo, k, d);
                scatterTail(dv, base + j * d, wv[wo + j], y, yo, k, d);
            }
        }
    }

    /**
     * dst[base + j·d + c] += Σ_q w[wo + q·ws + j]·x[xo + q·xs + c] for keys j in [a, b), columns c &lt; d, the
     * nq queries added one after another in query order (the order {@link #scatter1} adds them in). Four
     * keys × four column vectors are held in registers while the queries stream past, so each of the 16
     * chains waits only on its own previous FMA and dst is loaded and stored once per block.
     */
    static void accumulateRows(float[] dst, int base, float[] w, int wo, int ws, int a, int b, float[] x, int xo, int xs,
                               int d, int nq) {
        int j = a;
        for (; j + 4 <= b; j += 4) {
            int c = 0;
            for (; c + 4 * L <= d; c += 4 * L) {
                int o0 = base + j * d + c, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
                FloatVector a00 = FloatVector.fromArray(F, dst, o0), a01 = FloatVector.fromArray(F, dst, o0 + L),
                        a02 = FloatVector.fromArray(F, dst, o0 + 2 * L), a03 = FloatVector.fromArray(F, dst, o0 + 3 * L);
                FloatVector a10 = FloatVector.fromArray(F, dst, o1), a11 = FloatVector.fromArray(F, dst, o1 + L),
                        a12 = FloatVector.fromArray(F, dst, o1 + 2 * L), a13 = FloatVector.fromArray(F, dst, o1 + 3 * L);
                FloatVector a20 = FloatVector.fromArray(F, dst, o2), a21 = FloatVector.fromArray(F, dst, o2 + L),
                        a22 = FloatVector.fromArray(F, dst, o2 + 2 * L), a23 = FloatVector.fromArray(F, dst, o2 + 3 * L);
                FloatVector a30 = FloatVector.fromArray(F, dst, o3), a31 = FloatVector.fromArray(F, dst, o3 + L),
                        a32 = FloatVector.fromArray(F, dst, o3 + 2 * L), a33 = FloatVector.fromArray(F, dst, o3 + 3 * L);
                for (int q = 0; q < nq; q++) {
                    int xq = xo + q * xs + c, wq = wo + q * ws + j;
                    FloatVector x0 = FloatVector.fromArray(F, x, xq), x1 = FloatVector.fromArray(F, x, xq + L);
                    FloatVector x2 = FloatVector.fromArray(F, x, xq + 2 * L), x3 = FloatVector.fromArray(F, x, xq + 3 * L);
                    FloatVector s = FloatVector.broadcast(F, w[wq]);
                    a00 = x0.fma(s, a00); a01 = x1.fma(s, a01); a02 = x2.fma(s, a02); a03 = x3.fma(s, a03);
                    s = FloatVector.broadcast(F, w[wq + 1]);
                    a10 = x0.fma(s, a10); a11 = x1.fma(s, a11); a12 = x2.fma(s, a12); a13 = x3.fma(s, a13);
                    s = FloatVector.broadcast(F, w[wq + 2]);
                    a20 = x0.fma(s, a20); a21 = x1.fma(s, a21); a22 = x2.fma(s, a22); a23 = x3.fma(s, a23);
                    s = FloatVector.broadcast(F, w[wq + 3]);
                    a30 = x0.fma(s, a30); a31 = x1.fma(s, a31); a32 = x2.fma(s, a32); a33 = x3.fma(s, a33);
                }
                a00.intoArray(dst, o0); a01.intoArray(dst, o0 + L); a02.intoArray(dst, o0 + 2 * L); a03.intoArray(dst, o0 + 3 * L);
                a10.intoArray(dst, o1); a11.intoArray(dst, o1 + L); a12.intoArray(dst, o1 + 2 * L); a13.intoArray(dst, o1 + 3 * L);
                a20.intoArray(dst, o2); a21.intoArray(dst, o2 + L); a22.intoArray(dst, o2 + 2 * L); a23.intoArray(dst, o2 + 3 * L);
                a30.intoArray(dst, o3); a31.intoArray(dst, o3 + L); a32.intoArray(dst, o3 + 2 * L); a33.intoArray(dst, o3 + 3 * L);
            }
            for (; c + L <= d; c += L) {
                int o0 = base + j * d + c, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
                FloatVector a0 = FloatVector.fromArray(F, dst, o0), a1 = FloatVector.fromArray(F, dst, o1);
                FloatVector a2 = FloatVector.fromArray(F, dst, o2), a3 = FloatVector.fromArray(F, dst, o3);
                for (int q = 0; q < nq; q++) {
                    int wq = wo + q * ws + j;
                    FloatVector x0 = FloatVector.fromArray(F, x, xo + q * xs + c);
                    a0 = x0.fma(FloatVector.broadcast(F, w[wq]), a0);
                    a1 = x0.fma(FloatVector.broadcast(F, w[wq + 1]), a1);
                    a2 = x0.fma(FloatVector.broadcast(F, w[wq + 2]), a2);
                    a3 = x0.fma(FloatVector.broadcast(F, w[wq + 3]), a3);
                }
                a0.intoArray(dst, o0); a1.intoArray(dst, o1); a2.intoArray(dst, o2); a3.intoArray(dst, o3);
            }
            if (c < d) for (int r = 0; r < 4; r++) accumulateTail(dst, base + (j + r) * d, w, wo + j + r, ws, x, xo, xs, c, d, nq);
        }
        for (; j < b; j++) {
            int c = 0;
            for (; c + L <= d; c += L) {
                int o = base + j * d + c;
                FloatVector acc = FloatVector.fromArray(F, dst, o);
                for (int q = 0; q < nq; q++) acc = FloatVector.fromArray(F, x, xo + q * xs + c).fma(FloatVector.broadcast(F, w[wo + q * ws + j]), acc);
                acc.intoArray(dst, o);
            }
            if (c < d) accumulateTail(dst, base + j * d, w, wo + j, ws, x, xo, xs, c, d, nq);
        }
    }

    /** Columns [c, d) of one key's row o of {@link #accumulateRows}, scalar, queries in order. */
    private static void accumulateTail(float[] dst, int o, float[] w, int wj, int ws, float[] x, int xo, int xs, int c, int d, int nq) {
        for (; c < d; c++) {
            float acc = dst[o + c];
            for (int q = 0; q < nq; q++) acc = Math.fma(x[xo + q * xs + c], w[wj + q * ws], acc);
            dst[o + c] = acc;
        }
    }

    /** dst[o + c] += w·x[xo + c] for c in [k, d), scalar (the columns past the last full vector). */
    private static void scatterTail(float[] dst, int o, float w, float[] x, int xo, int k, int d) {
        for (int c = k; c < d; c++) dst[o + c] = Math.fma(x[xo + c], w, dst[o + c]);
    }
}
