package align4j.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Parallel loops over index ranges with a fixed split: range [0, n) is cut into {@link #threads()}
 * contiguous chunks whose bounds depend only on n and the thread count, so every reduction a kernel
 * does inside a chunk happens in the same order on every run (bit-identical results for a given
 * thread count, DESIGN.md "Engine").
 */
public final class Parallel {
    /** Body of a parallel loop: handles indices [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    /** Body of a parallel loop that also learns which chunk it is (for per-thread scratch buffers). */
    @FunctionalInterface
    public interface ChunkRange {
        void run(int chunk, int start, int end);
    }

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static ExecutorService pool;

    private Parallel() {}

    public static int threads() {
        return threads;
    }

    /** Sets the parallelism of every kernel (the CLI's {@code --threads N}); n ≥ 1. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + n);
        if (n != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = n;
    }

    private static synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
                Thread t = new Thread(r, "align4j-worker");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Start of chunk c of t chunks over [0, n). */
    public static int chunkStart(int n, int t, int c) {
        return (int) ((long) n * c / t);
    }

    /** Runs body over [0, n) split into at most threads() chunks; small n runs inline. */
    public static void forRange(int n, Range body) {
        forChunks(n, 1, (c, s, e) -> body.run(s, e));
    }

    /**
     * Runs body over [0, n) split into min(threads(), ceil(n / minPerChunk)) chunks; chunk 0 runs on
     * the calling thread.
     */
    public static void forChunks(int n, int minPerChunk, ChunkRange body) {
        if (n <= 0) return;
        int t = Math.min(threads, Math.max(1, n / Math.max(1, minPerChunk)));
        if (t == 1) {
            body.run(0, 0, n);
            return;
        }
        ExecutorService p = pool();
        List<Future<?>> futures = new ArrayList<>(t - 1);
        for (int c = 1; c < t; c++) {
            int chunk = c, s = chunkStart(n, t, c), e = chunkStart(n, t, c + 1);
            futures.add(p.submit(() -> body.run(chunk, s, e)));
        }
        body.run(0, 0, chunkStart(n, t, 1));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof RuntimeException re) throw re;
                if (ex.getCause() instanceof Error er) throw er;
                throw new IllegalStateException(ex.getCause());
            }
        }
    }
}
