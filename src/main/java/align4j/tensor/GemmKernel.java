package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register micro-kernel of {@link Gemm}: a 14×32 tile of C held in 28 AVX-512 accumulators
 * (14 rows × two 16-float vectors), updated by kc rank-1 steps from a packed B panel and a packed or
 * in-place A (BLIS, Van Zee & van de Geijn 2015, "the micro-kernel"). 28 accumulators + 2 B vectors + 1 broadcast = 31 of the 32
 * zmm registers, so C2 keeps the whole tile in registers. Each C element sums its kc products in
 * order p = 0, 1, …, kc−1 with one fused multiply-add each, which fixes the rounding. The plain algorithm
 * is the double-precision triple loop in {@code MatMulTest} (src/test).
 */
final class GemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    /** Rows of C per tile. */
    static final int MR = 14;
    /** Columns of C per tile: two vectors. */
    static final int NR = 32;

    private GemmKernel() {}

    /**
     * c[r, 0..32) += Σ_p A[r, p] · b[bo + 32p + (0..32)] for r < 14, where A[r, p] = a[ao + r·rowStep + p·kStep]
     * (a packed panel: rowStep 1, kStep 14; A read in place: rowStep ld, kStep 1, or transposed rowStep 1, kStep ld),
     * and row r of the C tile is at co + r·ldc. The tile is loaded, updated in registers and stored
     * back, so a fresh product initialises C first ({@link Gemm} writes the bias or zeros into the tile
     * just before). In place, on purpose: reading the initial values from another array at another offset
     * and stride costs C2 registers in the loop and was measurably slower
     * (docs/performance.md#gemm-blocking).
     */
    static void tile(int kc, float[] a, int ao, int rowStep, int kStep, float[] b, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.fromArray(S, c, co), c01 = FloatVector.fromArray(S, c, co + 16);
        FloatVector c10 = FloatVector.fromArray(S, c, co + 1 * ldc), c11 = FloatVector.fromArray(S, c, co + 1 * ldc + 16);
        FloatVector c20 = FloatVector.fromArray(S, c, co + 2 * ldc), c21 = FloatVector.fromArray(S, c, co + 2 * ldc + 16);
        FloatVector c30 = FloatVector.fromArray(S, c, co + 3 * ldc), c31 = FloatVector.fromArray(S, c, co + 3 * ldc + 16);
        FloatVector c40 = FloatVector.fromArray(S, c, co + 4 * ldc), c41 = FloatVector.fromArray(S, c, co + 4 * ldc + 16);
        FloatVector c50 = FloatVector.fromArray(S, c, co + 5 * ldc), c51 = FloatVector.fromArray(S, c, co + 5 * ldc + 16);
        FloatVector c60 = FloatVector.fromArray(S, c, co + 6 * ldc), c61 = FloatVector.fromArray(S, c, co + 6 * ldc + 16);
        FloatVector c70 = FloatVector.fromArray(S, c, co + 7 * ldc), c71 = FloatVector.fromArray(S, c, co + 7 * ldc + 16);
        FloatVector c80 = FloatVector.fromArray(S, c, co + 8 * ldc), c81 = FloatVector.fromArray(S, c, co + 8 * ldc + 16);
        FloatVector c90 = FloatVector.fromArray(S, c, co + 9 * ldc), c91 = FloatVector.fromArray(S, c, co + 9 * ldc + 16);
        FloatVector cA0 = FloatVector.fromArray(S, c, co + 10 * ldc), cA1 = FloatVector.fromArray(S, c, co + 10 * ldc + 16);
        FloatVector cB0 = FloatVector.fromArray(S, c, co + 11 * ldc), cB1 = FloatVector.fromArray(S, c, co + 11 * ldc + 16);
        FloatVector cC0 = FloatVector.fromArray(S, c, co + 12 * ldc), cC1 = FloatVector.fromArray(S, c, co + 12 * ldc + 16);
        FloatVector cD0 = FloatVector.fromArray(S, c, co + 13 * ldc), cD1 = FloatVector.fromArray(S, c, co + 13 * ldc + 16);
        for (int p = 0; p < kc; p++) {
            int ai = ao + p * kStep, bi = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + 16);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c80 = x.fma(b0, c80); c81 = x.fma(b1, c81);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; c90 = x.fma(b0, c90); c91 = x.fma(b1, c91);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; cA0 = x.fma(b0, cA0); cA1 = x.fma(b1, cA1);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; cB0 = x.fma(b0, cB0); cB1 = x.fma(b1, cB1);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; cC0 = x.fma(b0, cC0); cC1 = x.fma(b1, cC1);
            x = FloatVector.broadcast(S, a[ai]); ai += rowStep; cD0 = x.fma(b0, cD0); cD1 = x.fma(b1, cD1);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + 16);
        c10.intoArray(c, co + 1 * ldc); c11.intoArray(c, co + 1 * ldc + 16);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + 16);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + 16);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + 16);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + 16);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + 16);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + 16);
        c80.intoArray(c, co + 8 * ldc); c81.intoArray(c, co + 8 * ldc + 16);
        c90.intoArray(c, co + 9 * ldc); c91.intoArray(c, co + 9 * ldc + 16);
        cA0.intoArray(c, co + 10 * ldc); cA1.intoArray(c, co + 10 * ldc + 16);
        cB0.intoArray(c, co + 11 * ldc); cB1.intoArray(c, co + 11 * ldc + 16);
        cC0.intoArray(c, co + 12 * ldc); cC1.intoArray(c, co + 12 * ldc + 16);
        cD0.intoArray(c, co + 13 * ldc); cD1.intoArray(c, co + 13 * ldc + 16);
    }
}
