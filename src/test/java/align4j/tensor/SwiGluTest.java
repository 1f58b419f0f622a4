package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SwiGluTest {
    static double[] reference(double[] gateUp, int rows, int inter) {
        double[] out = new double[rows * inter];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inter; j++) {
                double g = gateUp[2 * r * inter + j], u = gateUp[2 * r * inter + inter + j];
                out[r * inter + j] = g / (1 + Math.exp(-g)) * u;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "rows={0} inter={1}")
    @CsvSource({"1, 1", "3, 5", "2, 16", "3, 37"})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int rows, int inter) {
        Random rnd = new Random(rows * 100 + inter);
        float[] gu = randn(rnd, 2 * rows * inter, 3), g = randn(rnd, rows * inter, 1), out = new float[rows * inter];
        SwiGlu.forward(out, gu, rows, inter);
        double[] gud = toDouble(gu);
        assertClose("out", reference(gud, rows, inter), out, 1e-6);
        float[] d = randn(rnd, 2 * rows * inter, 1), d0 = d.clone();
        SwiGlu.backward(d, g, gu, rows, inter);
        assertClose("dGateUp", numeric(v -> dot(g, reference(v, rows, inter)), gud), delta(d, d0), 1e-5);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int rows = 40, inter = 300;
        float[] gu = randn(new Random(1), 2 * rows * inter, 2), g = randn(new Random(2), rows * inter, 1);
        float[] o1 = new float[rows * inter], o2 = new float[rows * inter];
        float[] d1 = new float[2 * rows * inter], d2 = new float[2 * rows * inter];
        withThreads(1, () -> { SwiGlu.forward(o1, gu, rows, inter); SwiGlu.backward(d1, g, gu, rows, inter); });
        withThreads(2, () -> { SwiGlu.forward(o2, gu, rows, inter); SwiGlu.backward(d2, g, gu, rows, inter); });
        assertArrayEquals(o1, o2);
        assertArrayEquals(d1, d2);
    }
}
