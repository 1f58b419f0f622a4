package align4j.tensor;

import static align4j.tensor.GemmKernel.MR;
import static align4j.tensor.GemmKernel.NR;
import static align4j.tensor.GemmKernel.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Packing for {@link Gemm}: copies a block of A into 14-row panels (panel q holds A[q·14 + r, p] at
 * q·14·kc + p·14 + r) and a block of B into 32-column panels (panel t holds B[p, t·32 + c] at
 * t·32·kc + p·32 + c), padding with zeros past the edge, so the micro-kernel reads both operands
 * with unit stride whatever their layout in memory. {@link Gemm} packs A only where its rows would
 * share L1 sets, and a last panel of fewer than 14 rows; elsewhere the kernel reads A in place. Where the source runs across the panel (a row
 * of A, a column of B) the copy gathers with a strided index map; full panels are vector copies,
 * edge panels scalar.
 */
final class GemmPack {
    /** The first 14 lanes: one row group of an A panel. */
    private static final VectorMask<Float> ROWS = VectorMask.fromLong(S, (1L << MR) - 1);

    private GemmPack() {}

    /** Packs A[ic .. ic+mc, pc .. pc+kc); map is 16 ints of scratch. */
    static void packA(float[] dst, Gemm.Operand a, int ic, int mc, int pc, int kc, int[] map) {
        float[] x = a.x();
        int ld = a.ld(), full = mc / MR;
        if (a.transposed()) {
            // A[i, p] = x[p·ld + i]: row p of x holds the mc rows of A side by side; read it once
            for (int p = 0; p < kc; p++) {
                int from = (pc + p) * ld + ic, to = p * MR;
                for (int q = 0; q < full; q++) {
                    FloatVector.fromArray(S, x, from + q * MR, ROWS).intoArray(dst, to + q * MR * kc, ROWS);
                }
            }
        } else {
            // A[i, p] = x[i·ld + p]: copy each row of the panel, reading it in order; a strided scalar
            // store is faster than gathering the 14 rows at each p (docs/performance.md#gemm-blocking)
            for (int q = 0; q < full; q++) {
                int to = q * MR * kc;
                for (int r = 0; r < MR; r++) {
                    int from = (ic + q * MR + r) * ld + pc;
                    for (int p = 0; p < kc; p++) dst[to + p * MR + r] = x[from + p];
                }
            }
        }
        if (full * MR < mc) {
            int i0 = ic + full * MR, mr = mc - full * MR, base = full * MR * kc;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < MR; r++) dst[base + p * MR + r] = r < mr ? a.at(i0 + r, pc + p) : 0f;
            }
        }
    }

    /** Packs B[pc .. pc+kc, jc .. jc+nc) into dst from dstOff on; map is 16 ints of scratch. */
    static void packB(float[] dst, int dstOff, Gemm.Operand b, int pc, int kc, int jc, int nc, int[] map) {
        float[] x = b.x();
        int ld = b.ld(), full = nc / NR;
        if (b.h() != null) {
            packBf16(dst, dstOff, b, pc, kc, jc, full, map);
        } else if (b.transposed()) {
            // B[p, j] = x[j·ld + p] (nn.Linear weights in forward): gather 2 × 16 columns at each p
            for (int l = 0; l < S.length(); l++) map[l] = l * ld;
            for (int t = 0; t < full; t++) {
                int from = (jc + t * NR) * ld + pc, to = dstOff + t * NR * kc;
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S, x, from + p, map, 0).intoArray(dst, to + p * NR);
                    FloatVector.fromArray(S, x, from + 16 * ld + p, map, 0).intoArray(dst, to + p * NR + 16);
                }
            }
        } else {
            // B[p, j] = x[p·ld + j]: each p contributes 32 contiguous floats
            for (int t = 0; t < full; t++) {
                int from = pc * ld + jc + t * NR, to = dstOff + t * NR * kc;
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S, x, from + p * ld).intoArray(dst, to + p * NR);
                    FloatVector.fromArray(S, x, from + p * ld + 16).intoArray(dst, to + p * NR + 16);
                }
            }
        }
        if (full * NR < nc) {
            int j0 = jc + full * NR, nr = nc - full * NR, base = dstOff + full * NR * kc;
            for (int p = 0; p < kc; p++) {
                for (int q = 0; q < NR; q++) dst[base + p * NR + q] = q < nr ? b.at(pc + p, j0 + q) : 0f;
            }
        }
    }

    /** Widening rows of w for {@link #packBf16}: 32 rows × KC, one per thread. */
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[NR * Gemm.KC]);

    /**
     * The full panels of a bfloat16 B, widened to FP32 as they are packed (--weights-dtype bf16), so the
     * micro-kernel and its FP32 accumulation are the same as for FP32 weights. Not transposed (dX = dY·W):
     * each p's 32 values are contiguous and widen straight into the panel. Transposed (forward, W[n, k]):
     * the panel's 32 rows of W are widened into a scratch block first, then gathered as the FP32 path does.
     */
    private static void packBf16(float[] dst, int dstOff, Gemm.Operand b, int pc, int kc, int jc, int full, int[] map) {
        short[] h = b.h();
        int ld = b.ld();
        if (!b.transposed()) {
            for (int t = 0; t < full; t++) {
                int from = pc * ld + jc + t * NR, to = dstOff + t * NR * kc;
                for (int p = 0; p < kc; p++) Bf16.widen(h, from + p * ld, dst, to + p * NR, NR);
            }
            return;
        }
        float[] wide = WIDE.get();
        for (int l = 0; l < S.length(); l++) map[l] = l * kc;
        for (int t = 0; t < full; t++) {
            int j0 = jc + t * NR, to = dstOff + t * NR * kc;
            for (int c = 0; c < NR; c++) Bf16.widen(h, (j0 + c) * ld + pc, wide, c * kc, kc);
            for (int p = 0; p < kc; p++) {
                FloatVector.fromArray(S, wide, p, map, 0).intoArray(dst, to + p * NR);
                FloatVector.fromArray(S, wide, 16 * kc + p, map, 0).intoArray(dst, to + p * NR + 16);
            }
        }
    }
}
