package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register micro-kernel of {@link Gemm}: a 14×32 tile of C held in 28 AVX-512 accumulators
 * (14 rows × two 16-float vectors), updated by kc rank-1 steps from packed panels (BLIS, Van Zee &
 * van de Geijn 2015, "the micro-kernel"). 28 accumulators + 2 B vectors + 1 broadcast = 31 of the 32
 * zmm registers, so C2 keeps the whole tile in registers. Each C element sums its kc products in
 * order p = 0, 1, …, kc−1 with one fused multiply-add each, which fixes the rounding.
 */
final class GemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    /** Rows of C per tile. */
    static final int MR = 14;
    /** Columns of C per tile: two vectors. */
    static final int NR = 32;

    private GemmKernel() {}

    /**
     * dst[r, 0..32) = src[r, 0..32) + Σ_p a[ao + 14p + r] · b[bo + 32p + (0..32)] for r < 14, where row r
     * of src starts at srcOff + r·srcLd (srcLd = 0 broadcasts one row, e.g. a bias) and row r of dst
     * at dstOff + r·dstLd.
     */
    static void tile(int kc, float[] a, int ao, float[] b, int bo,
                     float[] src, int srcOff, int srcLd, float[] dst, int dstOff, int dstLd) {
        int s = srcOff;
        FloatVector c00 = FloatVector.fromArray(S, src, s), c01 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c10 = FloatVector.fromArray(S, src, s), c11 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c20 = FloatVector.fromArray(S, src, s), c21 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c30 = FloatVector.fromArray(S, src, s), c31 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c40 = FloatVector.fromArray(S, src, s), c41 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c50 = FloatVector.fromArray(S, src, s), c51 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c60 = FloatVector.fromArray(S, src, s), c61 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c70 = FloatVector.fromArray(S, src, s), c71 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c80 = FloatVector.fromArray(S, src, s), c81 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector c90 = FloatVector.fromArray(S, src, s), c91 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector cA0 = FloatVector.fromArray(S, src, s), cA1 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector cB0 = FloatVector.fromArray(S, src, s), cB1 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector cC0 = FloatVector.fromArray(S, src, s), cC1 = FloatVector.fromArray(S, src, s + 16); s += srcLd;
        FloatVector cD0 = FloatVector.fromArray(S, src, s), cD1 = FloatVector.fromArray(S, src, s + 16);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * MR, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + 16);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]);      c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);  c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);  c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);  c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);  c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);  c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);  c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);  c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ai + 8]);  c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ai + 9]);  c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ai + 10]); cA0 = x.fma(b0, cA0); cA1 = x.fma(b1, cA1);
            x = FloatVector.broadcast(S, a[ai + 11]); cB0 = x.fma(b0, cB0); cB1 = x.fma(b1, cB1);
            x = FloatVector.broadcast(S, a[ai + 12]); cC0 = x.fma(b0, cC0); cC1 = x.fma(b1, cC1);
            x = FloatVector.broadcast(S, a[ai + 13]); cD0 = x.fma(b0, cD0); cD1 = x.fma(b1, cD1);
        }
        int d = dstOff;
        c00.intoArray(dst, d); c01.intoArray(dst, d + 16); d += dstLd;
        c10.intoArray(dst, d); c11.intoArray(dst, d + 16); d += dstLd;
        c20.intoArray(dst, d); c21.intoArray(dst, d + 16); d += dstLd;
        c30.intoArray(dst, d); c31.intoArray(dst, d + 16); d += dstLd;
        c40.intoArray(dst, d); c41.intoArray(dst, d + 16); d += dstLd;
        c50.intoArray(dst, d); c51.intoArray(dst, d + 16); d += dstLd;
        c60.intoArray(dst, d); c61.intoArray(dst, d + 16); d += dstLd;
        c70.intoArray(dst, d); c71.intoArray(dst, d + 16); d += dstLd;
        c80.intoArray(dst, d); c81.intoArray(dst, d + 16); d += dstLd;
        c90.intoArray(dst, d); c91.intoArray(dst, d + 16); d += dstLd;
        cA0.intoArray(dst, d); cA1.intoArray(dst, d + 16); d += dstLd;
        cB0.intoArray(dst, d); cB1.intoArray(dst, d + 16); d += dstLd;
        cC0.intoArray(dst, d); cC1.intoArray(dst, d + 16); d += dstLd;
        cD0.intoArray(dst, d); cD1.intoArray(dst, d + 16);
    }
}
