package align4j.tensor;

import static align4j.tensor.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MatMulTest {
    /** Unit roundoff of float. */
    private static final double U = 0x1p-24;

    /**
     * (m, k, n): ones and small primes, the tile edges (14 rows, 32 columns), each cache block
     * ({@link Gemm#KC}, {@link Gemm#MC}, {@link Gemm#NC}) crossed by one in the dimension each layout
     * blocks it in, and the few-row forward path (m ≤ MatMul.DOT_ROWS = 16) beside the first packed size.
     */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 3, 17}, {3, 1, 5}, {4, 33, 7}, {5, 17, 33}, {13, 3, 31}, {14, 32, 32}, {15, 33, 65},
        {33, 17, 1}, {2, 300, 40}, {100, 200, 300},
        {Gemm.MC + 1, 19, 45}, {45, 19, Gemm.MC + 1},
        {29, Gemm.KC + 1, 70}, {20, 5, Gemm.KC + 1}, {Gemm.KC + 1, 5, 20}, {16, 70, 9}, {17, 70, 9},
        {7, 9, Gemm.NC + 4}, {6, Gemm.NC + 4, 9},
        // large enough for several threads: B packed once and shared, rows split (first), or columns
        // split when there are fewer row panels than threads (second); both cross KC and NC
        {40, Gemm.KC + 1, Gemm.NC + 40}, {10, 300, Gemm.NC + 40},
        // a row-major A whose rows share L1 sets (row length 1024) is packed, not read in place: forward's
        // x (k = 1024) and dY·W's dy (n = 1024), with a last panel of 2 rows
        {30, 1024, 40}, {30, 40, 1024},
    };

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Asserts got[i] = c0[i] + Σ_p terms within the bound of a float sum of length+1 terms,
     * (len + 1)·u·(|c0| + Σ|terms|) (Higham, "Accuracy and Stability", eq. 3.5), computed in double.
     */
    private static void assertClose(double ref, double absSum, int len, float got, String where) {
        double bound = (len + 2) * U * absSum + Double.MIN_NORMAL;
        assertTrue(Math.abs(got - ref) <= bound,
                () -> where + ": got " + got + ", reference " + ref + ", bound " + bound);
    }

    /**
     * The decoding path (m ≤ {@link MatMul#DOT_ROWS} rows) adds each product's vector lanes in one fixed order, the
     * same on every JIT tier: a scalar replica of that order (one FMA chain per lane, lanes folded pairwise as
     * {@link VectorMath#sumLanes} does, then the scalar tail) gives the same bits. {@code reduceLanes(ADD)}, whose
     * order the Vector API leaves open, gave one ulp less than C2's in the first calls of a process.
     */
    @Test
    void decodingProductsAddTheirLanesInOneFixedOrder() {
        Random r = new Random(11);
        int m = 5, k = 1000, n = 7, L = VectorMath.L;
        float[] x = random(r, m * k), w = random(r, n * k), bias = random(r, n), y = new float[m * n];
        MatMul.forward(y, x, w, bias, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float[] lane = new float[L];
                int p = 0;
                for (; p <= k - L; p += L) {
                    for (int l = 0; l < L; l++) lane[l] = Math.fma(x[i * k + p + l], w[j * k + p + l], lane[l]);
                }
                for (int half = L / 2; half >= 1; half /= 2) {
                    float[] folded = new float[L];
                    for (int l = 0; l < L; l++) folded[l] = lane[l] + lane[l ^ half];
                    lane = folded;
                }
                float s = lane[0];
                for (; p < k; p++) s = Math.fma(x[i * k + p], w[j * k + p], s);
                assertEquals(Float.floatToIntBits(bias[j] + s), Float.floatToIntBits(y[i * n + j]), "y[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void forwardMatchesDoubleReferenceWithAndWithoutBias() {
        Random r = new Random(11);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            for (boolean withBias : new boolean[] {false, true}) {
                float[] x = random(r, m * k), w = random(r, n * k), bias = withBias ? random(r, n) : null;
                float[] y = new float[m * n];
                Arrays.fill(y, Float.NaN); // forward overwrites: what y held must not leak in
                MatMul.forward(y, x, w, bias, m, k, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double ref = bias == null ? 0 : bias[j], abs = Math.abs(ref);
                        for (int p = 0; p < k; p++) {
                            ref += (double) x[i * k + p] * w[j * k + p];
                            abs += Math.abs((double) x[i * k + p] * w[j * k + p]);
                        }
                        assertClose(ref, abs, k, y[i * n + j], "forward " + Arrays.toString(s) + " y[" + i + "," + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void backwardInputAccumulatesDyTimesW() {
        Random r = new Random(12);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            float[] dy = random(r, m * n), w = random(r, n * k), dx0 = random(r, m * k);
            float[] dx = dx0.clone();
            MatMul.backwardInput(dx, dy, w, m, k, n);
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double ref = dx0[i * k + p], abs = Math.abs(ref);
                    for (int j = 0; j < n; j++) {
                        ref += (double) dy[i * n + j] * w[j * k + p];
                        abs += Math.abs((double) dy[i * n + j] * w[j * k + p]);
                    }
                    assertClose(ref, abs, n, dx[i * k + p], "backwardInput " + Arrays.toString(s) + " dx[" + i + "," + p + "]");
                }
            }
        }
    }

    @Test
    void backwardWeightAccumulatesDyTransposedTimesXAndColumnSumsIntoDb() {
        Random r = new Random(13);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            for (boolean withDb : new boolean[] {false, true}) {
                float[] dy = random(r, m * n), x = random(r, m * k), dw0 = random(r, n * k), db0 = random(r, n);
                float[] dw = dw0.clone(), db = withDb ? db0.clone() : null;
                MatMul.backwardWeight(dw, db, dy, x, m, k, n);
                for (int j = 0; j < n; j++) {
                    for (int p = 0; p < k; p++) {
                        double ref = dw0[j * k + p], abs = Math.abs(ref);
                        for (int i = 0; i < m; i++) {
                            ref += (double) dy[i * n + j] * x[i * k + p];
                            abs += Math.abs((double) dy[i * n + j] * x[i * k + p]);
                        }
                        assertClose(ref, abs, m, dw[j * k + p], "backwardWeight " + Arrays.toString(s) + " dw[" + j + "," + p + "]");
                    }
                    if (withDb) {
                        double ref = db0[j], abs = Math.abs(ref);
                        for (int i = 0; i < m; i++) {
                            ref += dy[i * n + j];
                            abs += Math.abs(dy[i * n + j]);
                        }
                        assertClose(ref, abs, m, db[j], "backwardWeight " + Arrays.toString(s) + " db[" + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void rowsReadInPlaceOnlyWhenTheyFallInDifferentL1Sets() {
        assertTrue(Gemm.rowsSpreadOverL1(384));
        assertTrue(Gemm.rowsSpreadOverL1(1536));
        assertTrue(Gemm.rowsSpreadOverL1(50257));
        assertFalse(Gemm.rowsSpreadOverL1(1024));
        assertFalse(Gemm.rowsSpreadOverL1(3072));
    }

    @Test
    void smallIntegerProductsAreExact() {
        // x = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], w = [[1, 0], [0, 1], [1, 1]], bias = [10, 20, 30]
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, w = {1, 0, 0, 1, 1, 1}, bias = {10, 20, 30};
        float[] y = new float[15];
        MatMul.forward(y, x, w, bias, 5, 2, 3);
        assertArrayEquals(new float[] {11, 22, 33, 13, 24, 37, 15, 26, 41, 17, 28, 45, 19, 30, 49}, y);

        // dx += dy·w with dy = y − bias (rows of x·wᵀ): row i of dx gains (a + c, b + c) for dy row (a, b, c)
        float[] dy = {1, 2, 3, 3, 4, 7, 5, 6, 11, 7, 8, 15, 9, 10, 19}, dx = new float[10];
        Arrays.fill(dx, 1f);
        MatMul.backwardInput(dx, dy, w, 5, 2, 3);
        assertArrayEquals(new float[] {5, 6, 11, 12, 17, 18, 23, 24, 29, 30}, dx);

        // dw[j, p] += Σ_i dy[i, j]·x[i, p]; db[j] += Σ_i dy[i, j]
        float[] dw = new float[6], db = {100, 100, 100};
        MatMul.backwardWeight(dw, db, dy, x, 5, 2, 3);
        assertArrayEquals(new float[] {165, 190, 190, 220, 355, 410}, dw);
        assertArrayEquals(new float[] {125, 130, 155}, db);
    }

    @Test
    void backwardCallsAddToWhatIsThere() {
        Random r = new Random(14);
        int m = 40, n = 50, k = 60;
        float[] dy = random(r, m * n), x = random(r, m * k), w = random(r, n * k);
        float[] once = new float[m * k], twice = new float[m * k];
        MatMul.backwardInput(once, dy, w, m, k, n);
        MatMul.backwardInput(twice, dy, w, m, k, n);
        MatMul.backwardInput(twice, dy, w, m, k, n);
        for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-5f * (1 + Math.abs(once[i])));

        float[] dw1 = new float[n * k], dw2 = new float[n * k], db1 = new float[n], db2 = new float[n];
        MatMul.backwardWeight(dw1, db1, dy, x, m, k, n);
        MatMul.backwardWeight(dw2, db2, dy, x, m, k, n);
        MatMul.backwardWeight(dw2, db2, dy, x, m, k, n);
        for (int i = 0; i < dw1.length; i++) assertEquals(2 * dw1[i], dw2[i], 1e-5f * (1 + Math.abs(dw1[i])));
        for (int j = 0; j < n; j++) assertEquals(2 * db1[j], db2[j], 1e-5f * (1 + Math.abs(db1[j])));
    }

    /** Every layout on shapes big enough to split across threads, at the given thread count. */
    private static float[][] runAll(int threads) {
        Parallel.setThreads(threads);
        Random r = new Random(15);
        int m = 300, k = 410, n = 350;
        float[] x = random(r, m * k), w = random(r, n * k), bias = random(r, n), dy = random(r, m * n);
        float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k], db = new float[n];
        MatMul.forward(y, x, w, bias, m, k, n);
        MatMul.backwardInput(dx, dy, w, m, k, n);
        MatMul.backwardWeight(dw, db, dy, x, m, k, n);
        // a tall, narrow dW (many rows of w, few columns) is split over rows rather than columns
        int mt = 64, nt = 2000, kt = 40;
        float[] dyt = random(r, mt * nt), xt = random(r, mt * kt), dwt = new float[nt * kt];
        MatMul.backwardWeight(dwt, null, dyt, xt, mt, kt, nt);
        // several K and N blocks of a shared packed B, rows split; then few rows, columns split
        int mb = 40, kb = Gemm.KC + 1, nb = Gemm.NC + 40;
        float[] xb = random(r, mb * kb), wb = random(r, nb * kb), yb = new float[mb * nb], dxb = new float[mb * kb];
        MatMul.forward(yb, xb, wb, null, mb, kb, nb);
        MatMul.backwardInput(dxb, random(r, mb * nb), wb, mb, kb, nb);
        float[] yf = new float[10 * nb];
        MatMul.forward(yf, Arrays.copyOf(xb, 10 * kb), wb, null, 10, kb, nb);
        return new float[][] {y, dx, dw, db, dwt, yb, dxb, yf};
    }

    @Test
    void resultsAreBitIdenticalRunToRun() {
        float[][] a = runAll(2), b = runAll(2);
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "output " + i);
    }

    @Test
    void oneTwoAndThreeThreadsGiveBitIdenticalResults() {
        // the split is panel-aligned and each element's k-order is fixed, so the thread count cannot
        // change a single bit (a looser k·eps tolerance would also hold, but this is what the design gives)
        float[][] one = runAll(1), two = runAll(2), three = runAll(3);
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], "output " + i);
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], three[i], "output " + i + ", 3 threads");
    }

    @Test
    void fewRowForwardGivesEachRowTheSameBitsWhateverTheOtherRows() {
        // decoding feeds one row per sequence; a sequence's logits must not depend on the batch around it
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int k = 77, n = 37;
        float[] x = new float[MatMul.DOT_ROWS * k], w = new float[n * k], b = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < n; i++) b[i] = (float) r.nextGaussian();
        float[] all = new float[MatMul.DOT_ROWS * n];
        MatMul.forward(all, x, w, b, MatMul.DOT_ROWS, k, n);
        for (int m = 1; m <= MatMul.DOT_ROWS; m++) {
            float[] y = new float[m * n];
            MatMul.forward(y, java.util.Arrays.copyOfRange(x, (MatMul.DOT_ROWS - m) * k, MatMul.DOT_ROWS * k), w, b, m, k, n);
            assertArrayEquals(java.util.Arrays.copyOfRange(all, (MatMul.DOT_ROWS - m) * n, MatMul.DOT_ROWS * n), y, "m=" + m);
        }
    }

    @Test
    void emptyInnerDimensionGivesBiasOrZero() {
        float[] y = {7, 7, 7, 7, 7, 7};
        MatMul.forward(y, new float[0], new float[0], new float[] {1, 2}, 3, 0, 2);
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, y);
        MatMul.forward(y, new float[0], new float[0], null, 6, 0, 1);
        assertArrayEquals(new float[6], y);
        float[] dx = {5, 5};
        MatMul.backwardInput(dx, new float[0], new float[0], 2, 1, 0);
        assertArrayEquals(new float[] {5, 5}, dx);
    }
}
