package align4j.cli;

import align4j.InputException;
import align4j.tensor.Bf16Gemm;
import align4j.tensor.NativeBlas;
import align4j.tensor.Parallel;
import picocli.CommandLine.Option;

/**
 * {@code --threads N}: the parallelism of every kernel (default: all cores), {@code --blas}: the
 * matrix products' engine, and {@code --bf16}: bf16 operands for the products. Mixed into each command.
 */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Threads for the compute kernels.")
    Integer threads;
    @Option(names = "--blas", paramLabel = "ENGINE",
            description = "Matrix products: java (default) or openblas (libopenblas through the FFM API; "
                    + "set OPENBLAS_CORETYPE=SkylakeX on AMD Zen 4/5 for its AVX-512 kernels).")
    String blas;
    @Option(names = "--bf16", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "bf16 mixed precision, as TRL's --bf16: matrix products take bfloat16 operands (rounded to nearest "
                    + "even) and sum in FP32 (AVX512-BF16); weights, activations, gradients and optimizer state stay FP32.")
    boolean bf16;

    /** Applies the option and returns the thread count in force. */
    int apply() {
        if (threads != null) {
            if (threads < 1) throw new InputException("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        if (blas != null) {
            switch (blas.toLowerCase(java.util.Locale.ROOT)) {
                case "java" -> NativeBlas.enable(false);
                case "openblas" -> {
                    if (!NativeBlas.available()) throw new InputException("--blas openblas: " + NativeBlas.describe());
                    NativeBlas.enable(true);
                }
                default -> throw new InputException("--blas must be java or openblas, got '" + blas + "'");
            }
        }
        // set either way, so a command run after another in one JVM (the tests) does not inherit it
        boolean want = bf16 || Bf16Gemm.requestedByProperty();
        if (want && NativeBlas.enabled()) {
            throw new InputException("--bf16 and --blas openblas cannot be combined: choose one engine for the products");
        }
        if (want && !Bf16Gemm.available()) throw new InputException("--bf16: " + Bf16Gemm.describe());
        Bf16Gemm.enable(want);
        return Parallel.threads();
    }
}
