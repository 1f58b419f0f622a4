package align4j.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * bf16 mixed-precision products ({@code --bf16}): the {@link Gemm} contract, C = init + A·B, with A and B
 * rounded to bfloat16 (nearest even) and every product summed in FP32 by AVX512-BF16's VDPBF16PS, which
 * does 32 multiply-adds per instruction where an FP32 FMA does 16. That instruction is not reachable from
 * the Vector API, so the packing and the micro-kernel are our own C ({@code src/main/c/bf16_gemm.c}),
 * built into a small library shipped in the jar and called through the FFM API; this class is the
 * driver: the same GotoBLAS blocking and thread split as {@link Gemm} (B packed once per block and shared,
 * then the rows of C, or its columns when rows are few, split among the threads).
 *
 * <p>What changes numerically is what torch's bf16 autocast changes for a matmul on CPU: the operands
 * carry 8 significant bits instead of 24; weights, activations, gradients and optimizer state stay FP32,
 * and so does C (autocast would also round the output to bf16; we do not). Each C element sums its
 * k-pairs in a fixed order, so results are still bit-identical across thread counts.
 *
 * <p>Off by default; {@code --bf16} or {@code -Dalign4j.matmul=bf16} switches it on where the CPU has
 * AVX512-BF16 (Intel Cooper Lake, Sapphire Rapids and later; AMD Zen 4 and later) on Linux x86-64.
 *
 * <p>The plain algorithm is {@code Bf16GemmTest.check} (src/test): a double-precision sum over operands
 * rounded by {@link Bf16#round}, which every layout must match within the FP32 summation bound.
 */
public final class Bf16Gemm {
    /**
     * Tile and blocks: Gemm's, which measured as fast as any other choice here and faster than KC = 384
     * (docs/performance.md#gemm-blocking). At KC = 768 a B panel is 384 pairs × 32 columns × 4 bytes = 48 KB,
     * Zen 5's L1.
     */
    static final int MR = 14, NR = 32, KC = 768, MC = 168, NC = 2048;
    private static final long MIN_FLOPS_PER_THREAD = 1L << 22;
    static final String RESOURCE = "/align4j/native/linux-x86_64/libalign4j_bf16.so";

    private static volatile boolean enabled;

    private record Lib(MethodHandle packA, MethodHandle packB, MethodHandle macro, String error) {}

    private static final class Holder {
        static final Lib LIB = load();
    }

    private static final class Scratch {
        int[] a = new int[0];
        int[] shared = new int[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static {
        if (requestedByProperty()) enable(true);
    }

    /** Whether {@code -Dalign4j.matmul=bf16} asks for bf16 products in this JVM. */
    public static boolean requestedByProperty() {
        return "bf16".equalsIgnoreCase(System.getProperty("align4j.matmul", ""));
    }

    private Bf16Gemm() {}

    /** Whether the kernels loaded and this CPU runs them. */
    public static boolean available() {
        return Holder.LIB.error == null;
    }

    /** Why {@link #available()} is false, or "AVX512-BF16" when it is true. */
    public static String describe() {
        return Holder.LIB.error != null ? Holder.LIB.error : "AVX512-BF16";
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Turns bf16 products on or off; on needs {@link #available()} ({@link IllegalStateException} saying why not). */
    public static void enable(boolean on) {
        if (on && !available()) throw new IllegalStateException(Holder.LIB.error);
        enabled = on;
    }

    /** As {@link Gemm#multiply}, with the operands rounded to bf16 and the sums in FP32. */
    static void multiply(int M, int K, int N, Gemm.Operand a, Gemm.Operand b, float[] c, int ldc,
                         boolean accumulate, float[] bias) {
        if (a.h() != null) throw new IllegalArgumentException("a bf16 operand is supported as B only");
        Lib lib = Holder.LIB;
        long flops = 2L * M * N * K;
        int threads = (int) Math.min(Parallel.threads(), Math.max(1, flops / MIN_FLOPS_PER_THREAD));
        int panelsM = (M + MR - 1) / MR;
        Scratch caller = SCRATCH.get();
        MemorySegment cSeg = MemorySegment.ofArray(c);
        MemorySegment aSeg = MemorySegment.ofArray(a.x());
        MemorySegment bSeg = b.h() != null ? MemorySegment.ofArray(b.h()) : MemorySegment.ofArray(b.x());
        MemorySegment biasSeg = bias == null ? MemorySegment.NULL : MemorySegment.ofArray(bias);
        for (int jc = 0; jc < N; jc += NC) {
            int nc = Math.min(NC, N - jc), ncPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc), kcp = (kc + 1) / 2;
                if (caller.shared.length < ncPanels * NR * kcp) caller.shared = new int[ncPanels * NR * (KC / 2)];
                MemorySegment pb = MemorySegment.ofArray(caller.shared);
                int fromC = accumulate || pc > 0 ? 1 : 0;
                int jc0 = jc, pc0 = pc;
                int packThreads = Math.min(threads, ncPanels);
                Parallel.forChunks(ncPanels, ncPanels / packThreads, (chunk, s, e) -> {
                    int j = s * NR;
                    try {
                        lib.packB.invokeExact(bSeg, b.h() != null ? 1 : 0, (long) b.ld(), b.transposed() ? 1 : 0, pc0, kc,
                                jc0 + j, Math.min(nc, e * NR) - j, pb.asSlice(4L * s * NR * kcp));
                    } catch (Throwable t) {
                        throw failed(t);
                    }
                });
                MemorySegment biasAt = bias == null ? biasSeg : biasSeg.asSlice(4L * jc);
                if (panelsM >= threads) {
                    Parallel.forChunks(panelsM, panelsM / threads, (chunk, s, e) -> macro(lib,
                            s * MR, Math.min(M, e * MR), 0, ncPanels, jc0, nc, pc0, kc, a, aSeg, pb, cSeg, ldc, fromC, biasAt));
                } else {
                    int t = Math.min(threads, ncPanels);
                    Parallel.forChunks(ncPanels, ncPanels / t, (chunk, s, e) -> macro(lib,
                            0, M, s, e, jc0, nc, pc0, kc, a, aSeg, pb, cSeg, ldc, fromC, biasAt));
                }
            }
        }
    }

    /** Rows [i0, i1) × B panels [t0, t1) of the block at columns jc, depth pc: packs A an MC block at a time. */
    private static void macro(Lib lib, int i0, int i1, int t0, int t1, int jc, int nc, int pc, int kc, Gemm.Operand a,
                              MemorySegment aSeg, MemorySegment pb, MemorySegment c, int ldc, int fromC, MemorySegment bias) {
        Scratch s = SCRATCH.get();
        int kcp = (kc + 1) / 2;
        if (s.a.length < MC * kcp + MR * kcp) s.a = new int[(MC + MR) * (KC / 2)];
        MemorySegment pa = MemorySegment.ofArray(s.a);
        for (int ic = i0; ic < i1; ic += MC) {
            int mc = Math.min(MC, i1 - ic);
            try {
                lib.packA.invokeExact(aSeg, (long) a.ld(), a.transposed() ? 1 : 0, ic, mc, pc, kc, pa);
                lib.macro.invokeExact(mc, nc, kc, t0, t1, pa, pb, c.asSlice(4L * ((long) ic * ldc + jc)), (long) ldc, fromC, bias);
            } catch (Throwable t) {
                throw failed(t);
            }
        }
    }

    private static IllegalStateException failed(Throwable t) {
        return new IllegalStateException("bf16 kernel failed", t);
    }

    private static Lib load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Lib(null, null, null, "bf16 products need Linux on x86-64 with AVX512-BF16; this is " + os + " " + arch);
        }
        try (InputStream in = Bf16Gemm.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return new Lib(null, null, null, "bf16 kernels missing from the jar (" + RESOURCE + ")");
            Path file = Files.createTempFile("align4j_bf16", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            SymbolLookup lookup = SymbolLookup.libraryLookup(file, Arena.global());
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            var p = ValueLayout.ADDRESS;
            int supported = (int) linker.downcallHandle(lookup.findOrThrow("a4j_bf16_supported"), FunctionDescriptor.of(i))
                    .invokeExact();
            if (supported == 0) {
                return new Lib(null, null, null, "this CPU has no AVX512-BF16 (Intel Cooper Lake / Sapphire Rapids or "
                        + "AMD Zen 4 and later have it), or the OS does not enable AVX-512");
            }
            Linker.Option critical = Linker.Option.critical(true);
            MethodHandle packB = linker.downcallHandle(lookup.findOrThrow("a4j_bf16_pack_b"),
                    FunctionDescriptor.ofVoid(p, i, l, i, i, i, i, i, p), critical);
            MethodHandle packA = linker.downcallHandle(lookup.findOrThrow("a4j_bf16_pack_a"),
                    FunctionDescriptor.ofVoid(p, l, i, i, i, i, i, p), critical);
            MethodHandle macro = linker.downcallHandle(lookup.findOrThrow("a4j_bf16_macro"),
                    FunctionDescriptor.ofVoid(i, i, i, i, i, p, p, p, l, i, p), critical);
            return new Lib(packA, packB, macro, null);
        } catch (Throwable e) {
            return new Lib(null, null, null, "bf16 kernels could not be loaded: " + e);
        }
    }
}
