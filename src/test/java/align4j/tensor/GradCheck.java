package align4j.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Finite-difference gradient checks against double-precision references: a kernel's float backward
 * is compared with central differences of a scalar loss computed by the test's own double
 * reference (exact to about 1e-9 with step 1e-5), so the tolerance only has to absorb the float
 * kernel's rounding.
 */
final class GradCheck {
    static final double STEP = 1e-5;

    private GradCheck() {}

    /** ∂f/∂x by central differences; f must not keep x. */
    static double[] numeric(ToDoubleFunction<double[]> f, double[] x) {
        double[] g = new double[x.length], xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            xp[i] = x[i] + STEP;
            double up = f.applyAsDouble(xp);
            xp[i] = x[i] - STEP;
            double down = f.applyAsDouble(xp);
            xp[i] = x[i];
            g[i] = (up - down) / (2 * STEP);
        }
        return g;
    }

    /** Fails unless |actual − expected| ≤ tol·(1 + |expected|) everywhere, naming the first miss. */
    static void assertClose(String what, double[] expected, float[] actual, double tol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            if (!(Math.abs(actual[i] - e) <= tol * (1 + Math.abs(e)))) {
                fail(what + "[" + i + "]: got " + actual[i] + ", expected " + e + " (tol " + tol + ")");
            }
        }
    }

    /** The change backward made to a gradient array that started as before. */
    static float[] delta(float[] after, float[] before) {
        float[] d = new float[after.length];
        for (int i = 0; i < d.length; i++) d[i] = after[i] - before[i];
        return d;
    }

    /** n draws of N(0, 1), as floats. */
    static float[] random(Random rnd, int n) {
        return randn(rnd, n, 1);
    }

    static float[] randn(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * scale);
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Σ g·y: the scalar loss whose gradient with respect to y is g. */
    static double dot(float[] g, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += g[i] * y[i];
        return s;
    }

    /** Runs body with Parallel.threads() = n, restoring the previous count. */
    static void withThreads(int n, Runnable body) {
        int before = Parallel.threads();
        Parallel.setThreads(n);
        try {
            body.run();
        } finally {
            Parallel.setThreads(before);
        }
    }
}
