package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Qwen3's q_norm/k_norm on fused qkv rows: forward against a double-precision reference written from
 * modeling_qwen3.py (Qwen3RMSNorm of each head's D values; v untouched), backward against central
 * differences of that reference, for the input and both weights.
 */
class QkNormTest {
    static final float EPS = 1e-6f;

    /** Each q head (weight qw) and k head (weight kw) of each row → w·x/√(mean(x²) + eps); v copied. */
    static double[] reference(double[] qkv, double[] qw, double[] kw, int t, int h, int kv, int d) {
        int row = (h + 2 * kv) * d;
        double[] out = qkv.clone();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < h + kv; j++) {
                int o = i * row + j * d;
                double[] w = j < h ? qw : kw;
                double ms = 0;
                for (int e = 0; e < d; e++) ms += qkv[o + e] * qkv[o + e] / d;
                for (int e = 0; e < d; e++) out[o + e] = w[e] * (qkv[o + e] / Math.sqrt(ms + EPS));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "t={0} h={1} kv={2} d={3}")
    @CsvSource({"1, 1, 1, 4", "3, 4, 2, 6", "9, 2, 1, 16", "5, 3, 3, 5"})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int t, int h, int kv, int d) {
        Random rnd = new Random(t * 1000 + h * 100 + kv * 10 + d);
        int row = (h + 2 * kv) * d, hd = h * d, kvd = kv * d;
        float[] qkv = randn(rnd, t * row, 2), g = randn(rnd, t * row, 1);
        Tensor qW = new Tensor("q_norm", d), kW = new Tensor("k_norm", d);
        System.arraycopy(randn(rnd, d, 1), 0, qW.data, 0, d);
        System.arraycopy(randn(rnd, d, 1), 0, kW.data, 0, d);
        double[] x = toDouble(qkv), qw = toDouble(qW.data), kw = toDouble(kW.data);

        float[] y = qkv.clone(), qIn = new float[t * hd], kIn = new float[t * kvd], qRstd = new float[t * h],
                kRstd = new float[t * kv], tmp = new float[t * hd];
        QkNorm.forward(y, qIn, qRstd, kIn, kRstd, tmp, qW, kW, t, h, kv, d, EPS);
        double[] want = reference(x, qw, kw, t, h, kv, d);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], y[i], 1e-5 * (1 + Math.abs(want[i])), "out " + i);

        qW.zeroGrad();
        kW.zeroGrad();
        float[] dQkv = g.clone();
        QkNorm.backward(dQkv, qIn, qRstd, kIn, kRstd, new float[t * hd], new float[t * hd], qW, kW, t, h, kv, d);
        // L = Σ g·reference(qkv, qw, kw)
        assertClose("dqkv", numeric(v -> dot(g, reference(v, qw, kw, t, h, kv, d)), x), dQkv);
        assertClose("dq_norm", numeric(v -> dot(g, reference(x, v, kw, t, h, kv, d)), qw), qW.grad);
        assertClose("dk_norm", numeric(v -> dot(g, reference(x, qw, v, t, h, kv, d)), kw), kW.grad);
    }

    interface Loss {
        double at(double[] v);
    }

    static double[] numeric(Loss f, double[] x) {
        double step = 1e-5;
        double[] grad = new double[x.length], xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            xp[i] = x[i] + step;
            double up = f.at(xp);
            xp[i] = x[i] - step;
            double down = f.at(xp);
            xp[i] = x[i];
            grad[i] = (up - down) / (2 * step);
        }
        return grad;
    }

    static void assertClose(String what, double[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), what + "[" + i + "]");
    }

    static double dot(float[] g, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += g[i] * y[i];
        return s;
    }

    static float[] randn(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}
