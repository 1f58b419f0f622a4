package align4j.tensor;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** bfloat16 storage: rounding as the safetensors writer rounds, exact widening, and GEMMs on bf16 weights. */
class Bf16Test {
    @Test
    void roundingMatchesTheWritersAndWideningIsExact() {
        Random rnd = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            assertEquals(DType.floatToBf16(f), Bf16.round(f), Float.toString(f));
            short h = (short) rnd.nextInt();
            assertEquals(Float.floatToRawIntBits(DType.bf16ToFloat(h)), Float.floatToRawIntBits(Bf16.widen(h)));
        }
        short[] h = new short[37];
        for (int i = 0; i < h.length; i++) h[i] = (short) rnd.nextInt();
        float[] wide = new float[40];
        Bf16.widen(h, 2, wide, 3, 33); // vector steps and a scalar tail, at offsets
        for (int i = 0; i < 33; i++) assertEquals(Float.floatToRawIntBits(Bf16.widen(h[2 + i])), Float.floatToRawIntBits(wide[3 + i]));
    }

    /** Shapes with edge panels, K beyond one KC block, and ≤ 4 rows (the dot-product path). */
    @Test
    void productsWithBf16WeightsEqualThoseWithTheSameValuesInFp32() {
        Random rnd = new Random(2);
        for (int[] s : new int[][] {{37, 800, 70}, {3, 50, 33}, {15, 64, 32}}) {
            int m = s[0], k = s[1], n = s[2];
            float[] w = GradCheck.randn(rnd, n * k, 1);
            for (int i = 0; i < w.length; i++) w[i] = Bf16.widen(Bf16.round(w[i]));
            Tensor fp32 = new Tensor("w", new int[] {n, k}, w.clone()), bf16 = new Tensor("w", new int[] {n, k}, w.clone());
            bf16.toBf16();
            assertNull(bf16.data);
            float[] x = GradCheck.randn(rnd, m * k, 1), bias = GradCheck.randn(rnd, n, 1);
            float[] y1 = new float[m * n], y2 = new float[m * n];
            MatMul.forward(y1, x, fp32, bias, m, k, n);
            MatMul.forward(y2, x, bf16, bias, m, k, n);
            assertArrayEquals(y1, y2, "forward " + m + "x" + k + "x" + n);
            float[] dy = GradCheck.randn(rnd, m * n, 1), dx1 = GradCheck.randn(rnd, m * k, 1), dx2 = dx1.clone();
            MatMul.backwardInput(dx1, dy, fp32, m, k, n);
            MatMul.backwardInput(dx2, dy, bf16, m, k, n);
            assertArrayEquals(dx1, dx2, "backwardInput " + m + "x" + k + "x" + n);
        }
    }

    @Test
    void aTrainableTensorCannotBeHeldAsBf16() {
        Tensor t = new Tensor("w", 4);
        t.zeroGrad();
        assertThrows(IllegalStateException.class, t::toBf16);
    }
}
