package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SoftmaxTest {
    static double[] softmax(double[] x) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (double v : x) m = Math.max(m, v);
        for (double v : x) s += Math.exp(v - m);
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) p[i] = Math.exp(x[i] - m) / s;
        return p;
    }

    static double[] logSoftmax(double[] x) {
        double[] p = softmax(x);
        for (int i = 0; i < p.length; i++) p[i] = Math.log(p[i]);
        return p;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 5, 16, 41})
    void softmaxMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int n) {
        Random rnd = new Random(n);
        int off = 3;
        float[] x = randn(rnd, n + off, 3), g = randn(rnd, n, 1), p = new float[n];
        double[] xd = new double[n];
        for (int i = 0; i < n; i++) xd[i] = x[off + i];
        Softmax.forward(p, 0, x, off, n);
        assertClose("softmax", softmax(xd), p, 1e-6);
        float[] dx = randn(rnd, n, 1), dx0 = dx.clone();
        Softmax.backward(dx, 0, g, 0, p, 0, n);
        assertClose("softmax dx", numeric(v -> dot(g, softmax(v)), xd), delta(dx, dx0), 1e-5);

        float[] lp = new float[n];
        Softmax.logForward(lp, 0, x, off, n);
        assertClose("logSoftmax", logSoftmax(xd), lp, 1e-6);
        float[] ldx = randn(rnd, n, 1), ldx0 = ldx.clone();
        Softmax.logBackward(ldx, 0, g, 0, lp, 0, n);
        assertClose("logSoftmax dx", numeric(v -> dot(g, logSoftmax(v)), xd), delta(ldx, ldx0), 1e-5);

        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (double v : xd) m = Math.max(m, v);
        for (double v : xd) s += Math.exp(v - m);
        assertEquals(m + Math.log(s), Softmax.logSumExp(x, off, n), 1e-5 * (1 + Math.abs(m)));
    }

    @Test
    void logSumExpSurvivesHugeAndMaskedInputs() {
        float inf = Float.NEGATIVE_INFINITY;
        assertEquals(1000 + Math.log(2), Softmax.logSumExp(new float[] {1000f, 1000f, inf}, 0, 3), 1e-3);
        assertEquals(inf, Softmax.logSumExp(new float[] {inf, inf}, 0, 2));
    }
}
