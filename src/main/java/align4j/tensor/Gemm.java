package align4j.tensor;

import static align4j.tensor.GemmKernel.MR;
import static align4j.tensor.GemmKernel.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * C[M,N] = C (or bias, or 0) + A[M,K]·B[K,N], blocked as in GotoBLAS/BLIS (Goto & van de Geijn 2008,
 * "Anatomy of high-performance matrix multiplication"): a KC×NC block of B is packed into 32-column
 * panels (6 MB, kept in L3), an MC×KC block of A into 14-row panels (0.5 MB, kept in L2) unless A's
 * rows spread over the L1 sets (then the kernel reads A in place), and {@link GemmKernel#tile} sweeps
 * the 14×32 tiles. KC = 768, MC = 168: fastest on the Zen 4 and Zen 5 machines measured
 * (docs/performance.md#gemm-blocking). Either operand may be transposed; packing or the kernel's two
 * strides absorb the layout, so one micro-kernel serves forward, dX and dW.
 *
 * <p>Threads: each block of B is packed once, its panels shared out among the threads, into a buffer
 * all of them then read (packing per thread would repeat it); then the rows of C are split, each thread
 * packing only its rows of A, or the columns when there are fewer row panels than threads.
 *
 * <p>Each C element is reduced over K in the same order whatever the thread count (K blocks in
 * order, each a chain of FMAs), and the thread split is panel-aligned, so results are
 * bit-identical for every thread count (docs/DESIGN.md#determinism). The block sizes do not change the
 * order either.
 *
 * <p>The plain algorithm is the triple loop summed in double in {@code MatMulTest} (src/test), which checks
 * every layout, edge and block size against it within the float rounding bound.
 */
final class Gemm {
    static final int KC = 768, MC = 168, NC = 2048;
    /** About 20 µs of work per thread at least, so tiny products do not pay for the dispatch. */
    private static final long MIN_FLOPS_PER_THREAD = 1L << 22;

    /** Packing buffers and an edge tile, one set per thread, grown on demand and reused. */
    private static final class Scratch {
        float[] a = new float[0];
        /** The packed block of B of a product this thread calls, read by every thread of the product. */
        float[] shared = new float[0];
        final float[] tile = new float[MR * NR];
        final int[] map = new int[GemmKernel.S.length()];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * An operand X[rows, cols] read as x[r·ld + c], or as x[c·ld + r] when transposed. A B operand may
     * instead hold bfloat16 bits in h (x null): packing widens them to FP32 ({@link GemmPack#packB}).
     */
    record Operand(float[] x, short[] h, int ld, boolean transposed) {
        Operand(float[] x, int ld, boolean transposed) {
            this(x, null, ld, transposed);
        }

        float at(int r, int c) {
            int i = transposed ? c * ld + r : r * ld + c;
            return h != null ? Bf16.widen(h[i]) : x[i];
        }
    }

    private Gemm() {}

    /**
     * C[i·ldc + j] = init + Σ_p A[i,p]·B[p,j] for i < M, j < N, p < K, where init is C itself when
     * accumulate, else bias[j] (0 when bias is null). Sizes in {@link MatMul}'s order (rows M, in K, out N).
     */
    static void multiply(int M, int K, int N, Operand a, Operand b, float[] c, int ldc,
                         boolean accumulate, float[] bias) {
        if (M <= 0 || N <= 0) return;
        if (a.h() != null) throw new IllegalArgumentException("a bf16 operand is supported as B only");
        if (K <= 0) {
            if (!accumulate) {
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) c[i * ldc + j] = bias == null ? 0f : bias[j];
            }
            return;
        }
        if (Bf16Gemm.enabled()) {
            Bf16Gemm.multiply(M, K, N, a, b, c, ldc, accumulate, bias);
            return;
        }
        int panelsM = (M + MR - 1) / MR;
        // threads: at least MIN_FLOPS_PER_THREAD each, so small products do not pay for the dispatch
        long flops = 2L * M * N * K;
        int threads = (int) Math.min(Parallel.threads(), Math.max(1, flops / MIN_FLOPS_PER_THREAD));
        Scratch caller = SCRATCH.get();
        for (int jc = 0; jc < N; jc += NC) {
            int nc = Math.min(NC, N - jc), ncPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc);
                if (caller.shared.length < ncPanels * NR * kc) caller.shared = new float[ncPanels * NR * KC];
                float[] pb = caller.shared;
                boolean fromC = accumulate || pc > 0;
                int jc0 = jc, pc0 = pc;
                // B is packed once, its panels shared out among the threads, and read by all of them
                // (not once per thread: docs/performance.md#gemm-blocking)
                int packThreads = Math.min(threads, ncPanels);
                Parallel.forChunks(ncPanels, ncPanels / packThreads, (chunk, s, e) -> {
                    int j = s * NR;
                    GemmPack.packB(pb, s * NR * kc, b, pc0, kc, jc0 + j, Math.min(nc, e * NR) - j, SCRATCH.get().map);
                });
                if (panelsM >= threads) {
                    // split the rows of C: each thread packs only its own rows of A
                    Parallel.forChunks(panelsM, panelsM / threads, (chunk, s, e) -> macro(
                            s * MR, Math.min(M, e * MR), 0, ncPanels, jc0, nc, pc0, kc, a, pb, c, ldc, fromC, bias));
                } else {
                    // few rows (decoding, small batches): split the columns, each thread packing all of A
                    int t = Math.min(threads, ncPanels);
                    Parallel.forChunks(ncPanels, ncPanels / t, (chunk, s, e) -> macro(
                            0, M, s, e, jc0, nc, pc0, kc, a, pb, c, ldc, fromC, bias));
                }
            }
        }
    }

    /**
     * Rows [i0, i1) × panels [jr0, jr1) of the packed block pb (columns jc .. jc+nc of C, depth
     * pc .. pc+kc): packs A an MC-row block at a time and sweeps the tiles, on the calling thread.
     */
    private static void macro(int i0, int i1, int jr0, int jr1, int jc, int nc, int pc, int kc, Operand a,
                              float[] pb, float[] c, int ldc, boolean fromC, float[] bias) {
        Scratch s = SCRATCH.get();
        float[] tile = s.tile;
        // A is read in place by the kernel, unpacked, where its rows (row-major: 14 streams) or its k steps
        // (transposed: one stream of 14-float runs) spread over the L1 sets; only a last panel of fewer
        // than 14 rows is packed, padded. Reading in place saves the scalar strided stores of packing
        // (docs/performance.md#gemm-blocking).
        boolean inPlace = rowsSpreadOverL1(a.ld());
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            int mcPanels = (mc + MR - 1) / MR, full = mc / MR;
            if (s.a.length < mcPanels * MR * kc) s.a = new float[MC * KC];
            float[] pa = s.a;
            if (!inPlace) GemmPack.packA(pa, a, ic, mc, pc, kc, s.map);
            else if (full < mcPanels) GemmPack.packA(pa, a, ic + full * MR, mc - full * MR, pc, kc, s.map);
            for (int jr = jr0; jr < jr1; jr++) {
                int j = jc + jr * NR, nr = Math.min(NR, jc + nc - j);
                int bo = jr * NR * kc;
                for (int ir = 0; ir < mcPanels; ir++) {
                    int i = ic + ir * MR, mr = Math.min(MR, ic + mc - i);
                    boolean direct = inPlace && mr == MR;
                    float[] ax = direct ? a.x() : pa;
                    // A[i + r, pc + p] is x[(i + r)·ld + pc + p], or x[(pc + p)·ld + i + r] when transposed
                    int ao = !direct ? (inPlace ? 0 : ir * MR * kc) : a.transposed() ? pc * a.ld() + i : i * a.ld() + pc;
                    int rowStep = direct && !a.transposed() ? a.ld() : 1;
                    int kStep = !direct ? MR : a.transposed() ? a.ld() : 1;
                    if (mr == MR && nr == NR) {
                        // the tile starts from C, or from the bias (zeros) written into it now, still in L1
                        if (!fromC) initTile(c, i * ldc + j, ldc, MR, NR, bias, j);
                        GemmKernel.tile(kc, ax, ao, rowStep, kStep, pb, bo, c, i * ldc + j, ldc);
                    } else {
                        edgeTile(kc, ax, ao, rowStep, kStep, pb, bo, c, i * ldc + j, ldc, mr, nr, tile, fromC, bias, j);
                    }
                }
            }
        }
    }

    /**
     * Whether 14 lines ld floats apart fall in enough different L1 sets for A to be read in place: at
     * most 8 on one set of 64-byte lines (64 sets, 48 KB 12-way L1 of Zen 5; 32 KB 8-way elsewhere has
     * 64 sets too). At ld = 3072 all 14 hit one set and reading in place is slower than packing; at
     * ld = 1536 (7 per set) it is faster (docs/performance.md#gemm-blocking).
     */
    static boolean rowsSpreadOverL1(int ld) {
        int[] perSet = new int[64];
        int most = 0;
        for (int r = 0; r < MR; r++) most = Math.max(most, ++perSet[(int) (((long) r * ld / 16) & 63)]);
        return most <= 8;
    }

    /** Rows r &lt; mr, columns q &lt; nr of the tile at c[co + r·ldc + q] := bias[j + q], or 0 without a bias. */
    private static void initTile(float[] c, int co, int ldc, int mr, int nr, float[] bias, int j) {
        if (nr == NR) {
            FloatVector b0 = bias == null ? FloatVector.zero(GemmKernel.S) : FloatVector.fromArray(GemmKernel.S, bias, j);
            FloatVector b1 = bias == null ? b0 : FloatVector.fromArray(GemmKernel.S, bias, j + 16);
            for (int r = 0; r < mr; r++) {
                b0.intoArray(c, co + r * ldc);
                b1.intoArray(c, co + r * ldc + 16);
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            if (bias == null) Arrays.fill(c, co + r * ldc, co + r * ldc + nr, 0f);
            else System.arraycopy(bias, j, c, co + r * ldc, nr);
        }
    }

    /** A tile cut by the edge of C: run the full kernel on a padded copy and write back the mr×nr part. */
    private static void edgeTile(int kc, float[] pa, int ao, int rowStep, int kStep, float[] pb, int bo, float[] c,
                                 int cOff, int ldc, int mr, int nr, float[] t, boolean fromC, float[] bias, int j) {
        Arrays.fill(t, 0f);
        if (fromC) {
            for (int r = 0; r < mr; r++) System.arraycopy(c, cOff + r * ldc, t, r * NR, nr);
        } else {
            initTile(t, 0, NR, mr, nr, bias, j);
        }
        GemmKernel.tile(kc, pa, ao, rowStep, kStep, pb, bo, t, 0, NR);
        for (int r = 0; r < mr; r++) System.arraycopy(t, r * NR, c, cOff + r * ldc, nr);
    }
}
