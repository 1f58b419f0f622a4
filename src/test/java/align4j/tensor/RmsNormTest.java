package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RmsNormTest {
    private static final float EPS = 1e-6f;

    /** HF LlamaRMSNorm in double: w·(x / √(mean(x²) + eps)). */
    static double[] reference(double[] x, double[] w, int rows, int c) {
        double[] out = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double ms = 0;
            for (int i = 0; i < c; i++) ms += x[r * c + i] * x[r * c + i] / c;
            for (int i = 0; i < c; i++) out[r * c + i] = w[i] * (x[r * c + i] / Math.sqrt(ms + EPS));
        }
        return out;
    }

    @ParameterizedTest(name = "rows={0} c={1}")
    @CsvSource({"1, 3", "3, 16", "4, 37", "2, 64"})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int rows, int c) {
        Random rnd = new Random(rows * 100 + c);
        float[] x = randn(rnd, rows * c, 2), w = randn(rnd, c, 1), g = randn(rnd, rows * c, 1);
        float[] out = new float[rows * c], rstd = new float[rows];
        RmsNorm.forward(out, rstd, x, w, rows, c, EPS);
        double[] xd = toDouble(x), wd = toDouble(w);
        assertClose("out", reference(xd, wd, rows, c), out, 1e-5);

        float[] dx = randn(rnd, rows * c, 1), dw = randn(rnd, c, 1), dx0 = dx.clone(), dw0 = dw.clone();
        RmsNorm.backward(dx, dw, g, x, w, rstd, rows, c);
        assertClose("dx", numeric(v -> dot(g, reference(v, wd, rows, c)), xd), delta(dx, dx0), 1e-4);
        assertClose("dw", numeric(v -> dot(g, reference(xd, v, rows, c)), wd), delta(dw, dw0), 1e-4);
    }

    @Test
    void unitWeightGivesUnitRootMeanSquare() {
        int c = 40;
        float[] x = randn(new Random(3), c, 5), w = new float[c], out = new float[c];
        Arrays.fill(w, 1f);
        RmsNorm.forward(out, new float[1], x, w, 1, c, 0f);
        double ms = 0;
        for (float v : out) ms += v * v / c;
        assertEquals(1.0, ms, 1e-5);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        Random rnd = new Random(8);
        int rows = 64, c = 200;
        float[] x = randn(rnd, rows * c, 1), w = randn(rnd, c, 1), g = randn(rnd, rows * c, 1);
        float[][] one = run(x, w, g, rows, c, 1), two = run(x, w, g, rows, c, 2), again = run(x, w, g, rows, c, 2);
        for (int k = 0; k < one.length; k++) {
            assertArrayEquals(one[k], two[k]);
            assertArrayEquals(two[k], again[k]);
        }
    }

    private static float[][] run(float[] x, float[] w, float[] g, int rows, int c, int threads) {
        float[] out = new float[rows * c], rstd = new float[rows], dx = new float[rows * c], dw = new float[c];
        withThreads(threads, () -> {
            RmsNorm.forward(out, rstd, x, w, rows, c, EPS);
            RmsNorm.backward(dx, dw, g, x, w, rstd, rows, c);
        });
        return new float[][] {out, dx, dw};
    }
}
