package align4j.tensor;

import static align4j.tensor.GradCheck.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bf16 products ({@link Bf16Gemm}, {@code --bf16}) against a reference computed here in double from
 * operands rounded by {@link Bf16#round} (round to nearest even): a product of two bf16 values is exact in
 * FP32, so the native result may differ from the reference only by the FP32 additions, at most about
 * k·u·Σ|terms|. Operands rounded any other way (truncated, or not at all) miss by ~2⁻⁹ relative, far
 * outside that. All three layouts of a linear layer, a bfloat16-held weight, bias, accumulation, tile,
 * K-block and N-block edges, odd k; thread counts give the same bits. Skips only on a CPU without
 * AVX512-BF16 (the reason is printed).
 */
class Bf16GemmTest {
    private static final double U = 0x1p-24;
    /** m, k, n: tile edges (14 rows, 32 columns), odd k, a second K block, a second N block, few rows. */
    private static final int[][] SHAPES = {
        {17, 5, 33}, {29, 33, 64}, {100, 200, 300}, {301, 65, 130}, {40, Gemm.KC + 3, 70},
        {30, 41, Bf16Gemm.NC + 40}, {20, 384, 1536}, {168 * 2 + 5, 96, 100},
    };

    @AfterEach
    void off() {
        Bf16Gemm.enable(false);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    private static double b(float x) {
        return Bf16.widen(Bf16.round(x));
    }

    /** got[i, j] vs c0 + Σ_p bf16(A[i,p])·bf16(B[p,j]) in double; bound (k + 2)·u·(|c0| + Σ|terms|). */
    private static void check(float[] got, float[] c0, float[] bias, int m, int n, int k, Acc a, Acc bm, String what) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double init = c0 != null ? c0[i * n + j] : bias != null ? bias[j] : 0;
                double ref = init, abs = Math.abs(init);
                for (int p = 0; p < k; p++) {
                    double t = b(a.at(i, p)) * b(bm.at(p, j));
                    ref += t;
                    abs += Math.abs(t);
                }
                double bound = (k + 2) * U * abs + Double.MIN_NORMAL;
                float g = got[i * n + j];
                final int ii = i, jj = j;
                final double r = ref;
                assertTrue(Math.abs(g - ref) <= bound, () -> what + " [" + ii + "," + jj + "]: got " + g + ", reference " + r
                        + ", bound " + bound);
            }
        }
    }

    interface Acc {
        float at(int r, int c);
    }

    @Test
    void productsMatchTheBf16RoundedReferenceOnAllLayouts() {
        assumeTrue(Bf16Gemm.available(), () -> "skipped: " + Bf16Gemm.describe());
        Random r = new Random(11);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            String shape = m + "x" + k + "x" + n;
            float[] x = random(r, m * k), w = random(r, n * k), bias = random(r, n), dy = random(r, m * n);
            float[] dx0 = random(r, m * k), dw0 = random(r, n * k);
            Bf16Gemm.enable(true);
            float[] yb = new float[m * n], y = new float[m * n], dx = dx0.clone(), dw = dw0.clone(), db = new float[n];
            java.util.Arrays.fill(y, Float.NaN); // overwritten, not accumulated into
            MatMul.forward(yb, x, w, bias, m, k, n);
            MatMul.forward(y, x, w, null, m, k, n);
            MatMul.backwardInput(dx, dy, w, m, k, n);
            MatMul.backwardWeight(dw, db, dy, x, m, k, n);
            Bf16Gemm.enable(false);
            if (m > MatMul.DOT_ROWS) {
                check(yb, null, bias, m, n, k, (i, p) -> x[i * k + p], (p, j) -> w[j * k + p], "x·wᵀ+b " + shape);
                check(y, null, null, m, n, k, (i, p) -> x[i * k + p], (p, j) -> w[j * k + p], "x·wᵀ " + shape);
            }
            check(dx, dx0, null, m, k, n, (i, p) -> dy[i * n + p], (p, j) -> w[p * k + j], "dx += dy·w " + shape);
            check(dw, dw0, null, n, k, m, (i, p) -> dy[p * n + i], (p, j) -> x[p * k + j], "dw += dyᵀ·x " + shape);
        }
    }

    @Test
    void bf16HeldWeightsGiveTheSameBitsAsFp32WeightsRoundedTheSameWay() {
        assumeTrue(Bf16Gemm.available(), () -> "skipped: " + Bf16Gemm.describe());
        Random r = new Random(12);
        for (int[] s : SHAPES) {
            int m = Math.max(s[0], MatMul.DOT_ROWS + 1), k = s[1], n = s[2];
            float[] x = random(r, m * k), w = random(r, n * k), dy = random(r, m * n);
            Tensor held = new Tensor("w", new int[] {n, k}, w.clone());
            held.toBf16();
            Bf16Gemm.enable(true);
            float[] y32 = new float[m * n], y16 = new float[m * n], dx32 = new float[m * k], dx16 = new float[m * k];
            MatMul.forward(y32, x, w, null, m, k, n);
            MatMul.forward(y16, x, held, null, m, k, n);
            MatMul.backwardInput(dx32, dy, w, m, k, n);
            MatMul.backwardInput(dx16, dy, held, m, k, n);
            assertArrayEquals(y32, y16, "forward " + m + "x" + k + "x" + n);
            assertArrayEquals(dx32, dx16, "backwardInput " + m + "x" + k + "x" + n);
        }
    }

    @Test
    void exactOnValuesBf16Holds() {
        assumeTrue(Bf16Gemm.available(), () -> "skipped: " + Bf16Gemm.describe());
        // small integers are bf16 values and their sums stay below 2^24: every method must be exact
        Random r = new Random(13);
        int m = 45, k = 301, n = 77;
        float[] x = new float[m * k], w = new float[n * k];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(33) - 16;
        for (int i = 0; i < w.length; i++) w[i] = r.nextInt(33) - 16;
        Bf16Gemm.enable(true);
        float[] y = new float[m * n];
        MatMul.forward(y, x, w, null, m, k, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long s = 0;
                for (int p = 0; p < k; p++) s += (long) x[i * k + p] * (long) w[j * k + p];
                assertEquals((float) s, y[i * n + j], "[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void oneTwoAndThreeThreadsGiveBitIdenticalResults() {
        assumeTrue(Bf16Gemm.available(), () -> "skipped: " + Bf16Gemm.describe());
        float[][] one = runAll(1), two = runAll(2), three = runAll(3);
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], two[i], "output " + i);
        for (int i = 0; i < one.length; i++) assertArrayEquals(one[i], three[i], "output " + i + ", 3 threads");
    }

    private static float[][] runAll(int threads) {
        Parallel.setThreads(threads);
        Bf16Gemm.enable(true);
        Random r = new Random(14);
        int m = 300, k = 200, n = 500;
        float[] x = random(r, m * k), w = random(r, n * k), dy = random(r, m * n);
        float[] y = new float[m * n], dx = new float[m * k], dw = new float[n * k], ys = new float[20 * n];
        MatMul.forward(y, x, w, null, m, k, n);
        MatMul.forward(ys, x, w, null, 20, k, n); // fewer row panels than threads: the columns are split
        MatMul.backwardInput(dx, dy, w, m, k, n);
        MatMul.backwardWeight(dw, null, dy, x, m, k, n);
        Bf16Gemm.enable(false);
        return new float[][] {y, ys, dx, dw};
    }

    @Test
    void enablingSaysWhyWhenUnavailable() {
        if (Bf16Gemm.available()) {
            Bf16Gemm.enable(true);
            assertTrue(Bf16Gemm.enabled());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Bf16Gemm.enable(true));
            assertTrue(e.getMessage().contains("AVX512-BF16") || e.getMessage().contains("bf16"), e.getMessage());
            assertFalse(Bf16Gemm.enabled());
        }
        Bf16Gemm.enable(false);
        assertFalse(Bf16Gemm.enabled());
    }
}
