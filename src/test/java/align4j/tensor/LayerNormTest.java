package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerNormTest {
    private static final float EPS = 1e-5f;

    /** torch.nn.LayerNorm in double: biased variance, eps inside the square root. */
    static double[] reference(double[] x, double[] w, double[] b, int rows, int c) {
        double[] out = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < c; i++) mean += x[r * c + i] / c;
            for (int i = 0; i < c; i++) var += (x[r * c + i] - mean) * (x[r * c + i] - mean) / c;
            for (int i = 0; i < c; i++) out[r * c + i] = (x[r * c + i] - mean) / Math.sqrt(var + EPS) * w[i] + b[i];
        }
        return out;
    }

    @ParameterizedTest(name = "rows={0} c={1}")
    @CsvSource({"1, 5", "3, 16", "4, 37", "2, 64"})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int rows, int c) {
        Random rnd = new Random(rows * 100 + c);
        float[] x = randn(rnd, rows * c, 2), w = randn(rnd, c, 1), b = randn(rnd, c, 1), g = randn(rnd, rows * c, 1);
        x[0] += 3; // a non-zero mean
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNorm.forward(out, mean, rstd, x, w, b, rows, c, EPS);
        double[] xd = toDouble(x), wd = toDouble(w), bd = toDouble(b);
        assertClose("out", reference(xd, wd, bd, rows, c), out, 1e-5);

        float[] dx = randn(rnd, rows * c, 1), dw = randn(rnd, c, 1), db = randn(rnd, c, 1);
        float[] dx0 = dx.clone(), dw0 = dw.clone(), db0 = db.clone();
        LayerNorm.backward(dx, dw, db, g, x, w, mean, rstd, rows, c);
        assertClose("dx", numeric(v -> dot(g, reference(v, wd, bd, rows, c)), xd), delta(dx, dx0), 1e-4);
        assertClose("dw", numeric(v -> dot(g, reference(xd, v, bd, rows, c)), wd), delta(dw, dw0), 1e-4);
        assertClose("db", numeric(v -> dot(g, reference(xd, wd, v, rows, c)), bd), delta(db, db0), 1e-4);
    }

    @Test
    void frozenWeightsSkipTheirGradientsAndKeepDx() {
        Random rnd = new Random(7);
        int rows = 5, c = 21;
        float[] x = randn(rnd, rows * c, 1), w = randn(rnd, c, 1), b = randn(rnd, c, 1), g = randn(rnd, rows * c, 1);
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        LayerNorm.forward(out, mean, rstd, x, w, b, rows, c, EPS);
        float[] dxAll = new float[rows * c], dxFrozen = new float[rows * c];
        LayerNorm.backward(dxAll, new float[c], new float[c], g, x, w, mean, rstd, rows, c);
        LayerNorm.backward(dxFrozen, null, null, g, x, w, mean, rstd, rows, c);
        assertArrayEquals(dxAll, dxFrozen);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        Random rnd = new Random(8);
        int rows = 64, c = 200;
        float[] x = randn(rnd, rows * c, 1), w = randn(rnd, c, 1), b = randn(rnd, c, 1), g = randn(rnd, rows * c, 1);
        float[][] one = run(x, w, b, g, rows, c, 1), two = run(x, w, b, g, rows, c, 2), again = run(x, w, b, g, rows, c, 2);
        for (int k = 0; k < one.length; k++) {
            assertArrayEquals(one[k], two[k]);
            assertArrayEquals(two[k], again[k]);
        }
    }

    private static float[][] run(float[] x, float[] w, float[] b, float[] g, int rows, int c, int threads) {
        float[] out = new float[rows * c], mean = new float[rows], rstd = new float[rows];
        float[] dx = new float[rows * c], dw = new float[c], db = new float[c];
        withThreads(threads, () -> {
            LayerNorm.forward(out, mean, rstd, x, w, b, rows, c, EPS);
            LayerNorm.backward(dx, dw, db, g, x, w, mean, rstd, rows, c);
        });
        return new float[][] {out, dx, dw, db};
    }
}
