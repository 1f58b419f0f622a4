package align4j.tensor;

import static align4j.tensor.GemmKernel.MR;
import static align4j.tensor.GemmKernel.NR;
import static align4j.tensor.GemmKernel.S;

import jdk.incubator.vector.FloatVector;

/**
 * Packing for {@link Gemm}: copies a block of A into 14-row panels (panel q holds A[q·14 + r, p] at
 * q·14·kc + p·14 + r) and a block of B into 32-column panels (panel t holds B[p, t·32 + c] at
 * t·32·kc + p·32 + c), padding with zeros past the edge, so the micro-kernel reads both operands
 * with unit stride whatever their layout in memory.
 */
final class GemmPack {
    private GemmPack() {}

    /** Packs A[ic .. ic+mc, pc .. pc+kc). */
    static void packA(float[] dst, Gemm.Operand a, int ic, int mc, int pc, int kc) {
        float[] x = a.x();
        int ld = a.ld();
        for (int q = 0; q * MR < mc; q++) {
            int base = q * MR * kc, i0 = ic + q * MR, mr = Math.min(MR, mc - q * MR);
            if (a.transposed()) {
                // A[i, p] = x[p·ld + i]: each p contributes mr contiguous floats
                for (int p = 0; p < kc; p++) {
                    int from = (pc + p) * ld + i0, to = base + p * MR;
                    for (int r = 0; r < mr; r++) dst[to + r] = x[from + r];
                    for (int r = mr; r < MR; r++) dst[to + r] = 0f;
                }
            } else {
                // A[i, p] = x[i·ld + p]: row r is contiguous in p and lands with stride 14
                for (int r = 0; r < mr; r++) {
                    int from = (i0 + r) * ld + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = x[from + p];
                }
                for (int r = mr; r < MR; r++) {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /** Packs B[pc .. pc+kc, jc .. jc+nc). */
    static void packB(float[] dst, Gemm.Operand b, int pc, int kc, int jc, int nc) {
        float[] x = b.x();
        int ld = b.ld();
        for (int t = 0; t * NR < nc; t++) {
            int base = t * NR * kc, j0 = jc + t * NR, nr = Math.min(NR, nc - t * NR);
            if (b.transposed()) {
                // B[p, j] = x[j·ld + p] (nn.Linear weights in forward): column c is contiguous in p
                for (int q = 0; q < nr; q++) {
                    int from = (j0 + q) * ld + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * NR + q] = x[from + p];
                }
                for (int q = nr; q < NR; q++) {
                    for (int p = 0; p < kc; p++) dst[base + p * NR + q] = 0f;
                }
            } else if (nr == NR) {
                // B[p, j] = x[p·ld + j]: each p contributes 32 contiguous floats, two vector copies
                for (int p = 0; p < kc; p++) {
                    int from = (pc + p) * ld + j0, to = base + p * NR;
                    FloatVector.fromArray(S, x, from).intoArray(dst, to);
                    FloatVector.fromArray(S, x, from + 16).intoArray(dst, to + 16);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int from = (pc + p) * ld + j0, to = base + p * NR;
                    for (int q = 0; q < nr; q++) dst[to + q] = x[from + q];
                    for (int q = nr; q < NR; q++) dst[to + q] = 0f;
                }
            }
        }
    }
}
