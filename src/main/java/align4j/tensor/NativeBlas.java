package align4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Optional native SGEMM: OpenBLAS's {@code cblas_sgemm} called through the FFM API (java.lang.foreign),
 * off by default and switched on by {@code --blas openblas} or {@code -Dalign4j.blas=openblas}.
 * {@link MatMul} then hands its packed products to it; results differ from the Java {@link Gemm} by
 * float rounding only (OpenBLAS sums K in its own blocked order, which can also change with its thread
 * count, so the bit-identical-across-threads property of the Java path does not hold here).
 *
 * <p>The library is looked for at {@code -Dalign4j.blas.library=PATH}, else as libopenblas.so.0,
 * libopenblas.so and Debian's openblas-pthread / openblas-openmp folders. Arrays are passed to the
 * native code in place (a critical downcall with heap access: no copies). Set
 * {@code OPENBLAS_CORETYPE=SkylakeX} on AMD Zen 4/5 so OpenBLAS picks its AVX-512 kernels.
 */
public final class NativeBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static volatile boolean enabled = "openblas".equalsIgnoreCase(System.getProperty("align4j.blas", ""));
    private static int threadsSet = -1;

    private record Lib(MethodHandle sgemm, MethodHandle setThreads, String path, String error) {}

    /** Loaded on first use, so the library is not even opened unless asked for. */
    private static final class Holder {
        static final Lib LIB = load();
    }

    private NativeBlas() {}

    /** Whether the library was found and its symbols bound. */
    public static boolean available() {
        return Holder.LIB.error == null;
    }

    /** Why {@link #available()} is false (the paths tried), or the library's path when it is true. */
    public static String describe() {
        return Holder.LIB.error != null ? Holder.LIB.error : Holder.LIB.path;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Turns the native path on or off; on needs the library ({@link IllegalStateException} naming what was tried). */
    public static void enable(boolean on) {
        if (on && !available()) throw new IllegalStateException(Holder.LIB.error);
        enabled = on;
    }

    /**
     * C[M,N] = A·B + beta·C, row-major, A[M,K] (stored [K,M] when transA) with leading dimension lda,
     * B[K,N] (stored [N,K] when transB) with ldb; runs on {@link Parallel#threads()} OpenBLAS threads.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
                      float beta, float[] c, int ldc) {
        Lib lib = Holder.LIB;
        if (lib.error != null) throw new IllegalStateException(lib.error);
        try {
            synchronized (NativeBlas.class) {
                int t = Parallel.threads();
                if (t != threadsSet) {
                    lib.setThreads.invokeExact(t);
                    threadsSet = t;
                }
            }
            lib.sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f,
                    MemorySegment.ofArray(a), lda, MemorySegment.ofArray(b), ldb, beta, MemorySegment.ofArray(c), ldc);
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }

    private static Lib load() {
        List<String> tried = new ArrayList<>();
        String prop = System.getProperty("align4j.blas.library");
        List<String> candidates = prop != null ? List.of(prop) : List.of("libopenblas.so.0", "libopenblas.so",
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
                "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.dylib");
        for (String name : candidates) {
            try {
                SymbolLookup lookup = name.contains("/") ? SymbolLookup.libraryLookup(Path.of(name), Arena.global())
                        : SymbolLookup.libraryLookup(name, Arena.global());
                Linker linker = Linker.nativeLinker();
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
                var ptr = ValueLayout.ADDRESS;
                MethodHandle sgemm = linker.downcallHandle(lookup.findOrThrow("cblas_sgemm"),
                        FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, ptr, i, ptr, i, f, ptr, i),
                        Linker.Option.critical(true));
                MethodHandle threads = linker.downcallHandle(lookup.findOrThrow("openblas_set_num_threads"),
                        FunctionDescriptor.ofVoid(i));
                String path = name.contains("/") && Files.exists(Path.of(name)) ? Path.of(name).toRealPath().toString() : name;
                return new Lib(sgemm, threads, path, null);
            } catch (Throwable e) {
                tried.add(name + " (" + e.getMessage() + ")");
            }
        }
        return new Lib(null, null, null, "OpenBLAS not found: tried " + String.join(", ", tried)
                + "; install libopenblas0 or set -Dalign4j.blas.library=PATH");
    }
}
