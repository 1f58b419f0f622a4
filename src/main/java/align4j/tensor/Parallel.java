package align4j.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Parallel loops over index ranges with a fixed split: range [0, n) is cut into {@link #threads()}
 * contiguous chunks whose bounds depend only on n and the thread count, so every reduction a kernel
 * does inside a chunk happens in the same order on every run (bit-identical results for a given
 * thread count, docs/DESIGN.md#determinism).
 *
 * <p>Chunks 1..t−1 run on persistent workers that spin briefly after each loop and then park, so a
 * loop costs a few microseconds to dispatch rather than an executor round trip. A loop started while
 * the workers are busy (a nested loop, or a second caller thread) runs its chunks one after another
 * on the calling thread: same split, same results.
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

    /** How long an idle worker, or a caller waiting for workers, spins before parking. */
    private static final long SPIN_NANOS = 50_000;

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static Pool pool;

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

    private static synchronized Pool pool() {
        if (pool == null) pool = new Pool(threads - 1);
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
        Pool p = pool();
        if (t - 1 > p.workers.length || !p.run(n, t, body)) {
            for (int c = 0; c < t; c++) body.run(c, chunkStart(n, t, c), chunkStart(n, t, c + 1));
        }
    }

    /** Workers 0..w−1 run chunks 1..w of each loop. */
    private static final class Pool {
        final Worker[] workers;
        /** Held by the caller of the loop in flight; taken for good by {@link #shutdown()}. */
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicInteger remaining = new AtomicInteger();
        volatile long generation;
        volatile boolean stopped;
        volatile Thread waiter;
        volatile Throwable failure;
        ChunkRange body;
        int n, t;

        Pool(int w) {
            workers = new Worker[w];
            for (int i = 0; i < w; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        /** Runs the loop on the workers; false when they are busy (the caller then runs it alone). */
        boolean run(int n, int t, ChunkRange body) {
            if (!busy.compareAndSet(false, true)) return false;
            try {
                this.body = body;
                this.n = n;
                this.t = t;
                failure = null;
                // every worker acknowledges every loop, even one with fewer chunks than workers, so no
                // worker can miss a loop and read the fields of the next one
                remaining.set(workers.length);
                generation++;
                for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
                Throwable own = null;
                try {
                    body.run(0, 0, chunkStart(n, t, 1));
                } catch (Throwable e) {
                    own = e;
                }
                awaitWorkers();
                this.body = null;
                Throwable e = own != null ? own : failure;
                if (e instanceof RuntimeException re) throw re;
                if (e instanceof Error er) throw er;
                if (e != null) throw new IllegalStateException(e);
                return true;
            } finally {
                busy.set(false);
            }
        }

        private void awaitWorkers() {
            long start = System.nanoTime();
            while (remaining.get() != 0) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    waiter = Thread.currentThread();
                    if (remaining.get() != 0) LockSupport.park(this);
                    waiter = null;
                }
            }
        }

        void finished() {
            if (remaining.decrementAndGet() == 0) {
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }

        void shutdown() {
            while (!busy.compareAndSet(false, true)) Thread.onSpinWait();
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        final Pool pool;
        final int chunk;
        volatile boolean parked;

        Worker(Pool pool, int chunk) {
            super("align4j-worker-" + chunk);
            this.pool = pool;
            this.chunk = chunk;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (pool.generation == seen) {
                    if (pool.stopped) return;
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        // parked is set before the re-check, and the caller sets generation before reading
                        // parked, so either this re-check sees the new loop or the caller unparks us.
                        parked = true;
                        if (pool.generation == seen && !pool.stopped) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = pool.generation;
                Pool p = pool;
                try {
                    if (chunk < p.t) p.body.run(chunk, chunkStart(p.n, p.t, chunk), chunkStart(p.n, p.t, chunk + 1));
                } catch (Throwable e) {
                    p.failure = e;
                } finally {
                    p.finished();
                }
            }
        }
    }
}
