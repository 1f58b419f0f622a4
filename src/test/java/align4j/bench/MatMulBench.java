package align4j.bench;

import align4j.tensor.MatMul;
import align4j.tensor.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The three layouts of {@link MatMul} on GPT-2-small and small-model shapes. Besides ops/s, the
 * {@code gflops} counter reports GFLOP/s directly (2·m·k·n per call).
 *
 * <pre>./align4j jmh MatMulBench -p layout=forward -p shape=2048x768x2304 -p threads=2</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@State(Scope.Benchmark)
public class MatMulBench {
    @Param({"forward", "backwardInput", "backwardWeight"})
    public String layout;

    /** m x k x n; the LM head (2048x768x50257) needs about 1 GB of heap. */
    @Param({"2048x768x2304", "2048x768x768", "2048x768x3072", "2048x3072x768", "2048x768x50257",
            "4096x384x1152", "4096x384x384", "4096x384x1536", "4096x384x8192", "4096x1536x384"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, k, n;
    private float[] x, w, bias, y, dy, dx, dw, db;

    /** GFLOP done, which JMH reports per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        Parallel.setThreads(threads);
        Random r = new Random(1);
        x = random(r, m * k);
        w = random(r, n * k);
        bias = random(r, n);
        switch (layout) {
            case "forward" -> y = new float[m * n];
            case "backwardInput" -> {
                dy = random(r, m * n);
                dx = new float[m * k];
            }
            case "backwardWeight" -> {
                dy = random(r, m * n);
                dw = new float[n * k];
                db = new float[n];
            }
            default -> throw new IllegalArgumentException("layout " + layout);
        }
    }

    private static float[] random(Random r, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    @Benchmark
    public void matmul(Flops flops) {
        switch (layout) {
            case "forward" -> MatMul.forward(y, x, w, bias, m, k, n);
            case "backwardInput" -> MatMul.backwardInput(dx, dy, w, m, k, n);
            default -> MatMul.backwardWeight(dw, db, dy, x, m, k, n);
        }
        flops.gflops += MatMul.flops(m, k, n) * 1e-9;
    }
}
