package align4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    @Test
    void expIsWithinTwoUlpOfMathExpAndVectorLanesEqualTheScalarTwin() {
        Random rnd = new Random(1);
        float[] x = new float[VectorMath.L * 4000], y = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 170 - 87);
        for (int i = 0; i < x.length; i += VectorMath.L) VectorMath.exp(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++) {
            float exact = (float) Math.exp(x[i]);
            assertTrue(Math.abs(y[i] - exact) <= 2 * Math.ulp(exact), "exp(" + x[i] + ") = " + y[i] + ", not " + exact);
            assertEquals(Float.floatToIntBits(VectorMath.exp(x[i])), Float.floatToIntBits(y[i]), "lane " + i);
        }
    }

    @Test
    void expHandlesTheEnds() {
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, VectorMath.exp(-100f));
        assertEquals(1f, VectorMath.exp(0f));
        assertTrue(Float.isFinite(VectorMath.exp(1000f)));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
    }

    @Test
    void vectorExpHandlesTheEndsLikeTheScalarTwin() {
        float[] x = {Float.NEGATIVE_INFINITY, -100f, -87.34f, -87.33654f, -87.3f, -0f, 0f, 1f, 87.9f, 88f, 88.5f, 1000f,
                Float.POSITIVE_INFINITY, Float.NaN, -1e-30f, 20f};
        float[] padded = new float[VectorMath.L * ((x.length + VectorMath.L - 1) / VectorMath.L)], y = new float[padded.length];
        System.arraycopy(x, 0, padded, 0, x.length);
        for (int i = 0; i < padded.length; i += VectorMath.L) VectorMath.exp(FloatVector.fromArray(VectorMath.F, padded, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(x[i])), Float.floatToIntBits(y[i]), "exp(" + x[i] + ")");
        }
        assertEquals(0f, y[0]);
        assertEquals(0f, y[1]);
        assertTrue(Float.isFinite(y[11]) && y[11] == y[9], "saturates at e^88: " + y[11]);
        assertTrue(Float.isNaN(y[13]));
    }

    @Test
    void maxFindsTheLargestAtEveryPosition() {
        for (int n : new int[] {1, 15, 16, 17, 63, 64, 65, 130}) {
            for (int at = 0; at < n; at++) {
                float[] a = new float[n + 3];
                java.util.Arrays.fill(a, -5f);
                a[3 + at] = 2f;
                assertEquals(2f, VectorMath.max(a, 3, n), "n " + n + " at " + at);
            }
        }
        assertEquals(Float.NEGATIVE_INFINITY, VectorMath.max(new float[4], 0, 0));
    }

    @Test
    void reductionsMatchDoubleSums() {
        Random rnd = new Random(2);
        int n = 1003;
        float[] a = GradCheck.randn(rnd, n + 5, 1), b = GradCheck.randn(rnd, n + 5, 1);
        double dot = 0, sum = 0, max = Double.NEGATIVE_INFINITY, sumExp = 0;
        for (int i = 0; i < n; i++) {
            dot += a[5 + i] * b[i];
            sum += a[5 + i];
            max = Math.max(max, a[5 + i]);
            sumExp += Math.exp(a[5 + i] - 1);
        }
        assertEquals(dot, VectorMath.dot(a, 5, b, 0, n), 1e-4);
        assertEquals(sum, VectorMath.sum(a, 5, n), 1e-4);
        assertEquals(max, VectorMath.max(a, 5, n), 0);
        assertEquals(sumExp, VectorMath.sumExp(a, 5, n, 1f), 1e-6 * sumExp);
        float[] y = b.clone();
        VectorMath.axpy(0.5f, a, 5, y, 0, n);
        for (int i = 0; i < n; i++) assertEquals(b[i] + 0.5 * a[5 + i], y[i], 1e-6);
    }
}
