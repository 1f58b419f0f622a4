package align4j.cli;

import align4j.tensor.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads N}: the parallelism of every kernel (default: all cores). Mixed into each command. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Threads for the compute kernels.")
    Integer threads;

    /** Applies the option and returns the thread count in force. */
    int apply() {
        if (threads != null) {
            if (threads < 1) throw new UserException("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        return Parallel.threads();
    }
}
