package align4j.cli;

import align4j.tensor.NativeBlas;
import align4j.tensor.Parallel;
import picocli.CommandLine.Option;

/**
 * {@code --threads N}: the parallelism of every kernel (default: all cores), and {@code --blas}: the
 * matrix products' engine. Mixed into each command.
 */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Threads for the compute kernels.")
    Integer threads;
    @Option(names = "--blas", paramLabel = "ENGINE",
            description = "Matrix products: java (default) or openblas (libopenblas through the FFM API; "
                    + "set OPENBLAS_CORETYPE=SkylakeX on AMD Zen 4/5 for its AVX-512 kernels).")
    String blas;

    /** Applies the option and returns the thread count in force. */
    int apply() {
        if (threads != null) {
            if (threads < 1) throw new UserException("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        if (blas != null) {
            switch (blas.toLowerCase(java.util.Locale.ROOT)) {
                case "java" -> NativeBlas.enable(false);
                case "openblas" -> {
                    if (!NativeBlas.available()) throw new UserException("--blas openblas: " + NativeBlas.describe());
                    NativeBlas.enable(true);
                }
                default -> throw new UserException("--blas must be java or openblas, got '" + blas + "'");
            }
        }
        return Parallel.threads();
    }
}
