package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeluTest {
    static double[] reference(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            y[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
        }
        return y;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 15, 37, 100})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int n) {
        Random rnd = new Random(n);
        float[] x = randn(rnd, n, 3), g = randn(rnd, n, 1), out = new float[n];
        Gelu.forward(out, x, n);
        double[] xd = toDouble(x);
        assertClose("out", reference(xd), out, 1e-6);
        float[] dx = randn(rnd, n, 1), dx0 = dx.clone();
        Gelu.backward(dx, g, x, n);
        assertClose("dx", numeric(v -> dot(g, reference(v)), xd), delta(dx, dx0), 1e-5);
    }

    @Test
    void knownValuesAndSaturation() {
        float[] x = {0f, 1f, -1f, 30f, -30f}, out = new float[5];
        Gelu.forward(out, x, 5);
        // 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411920
        assertArrayEquals(new float[] {0f, 0.8411920f, -0.1588080f, 30f, -0f}, out, 1e-6f);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int n = 100_003;
        float[] x = randn(new Random(1), n, 2), g = randn(new Random(2), n, 1);
        float[] o1 = new float[n], o2 = new float[n], d1 = new float[n], d2 = new float[n];
        withThreads(1, () -> { Gelu.forward(o1, x, n); Gelu.backward(d1, g, x, n); });
        withThreads(2, () -> { Gelu.forward(o2, x, n); Gelu.backward(d2, g, x, n); });
        assertArrayEquals(o1, o2);
        assertArrayEquals(d1, d2);
    }
}
