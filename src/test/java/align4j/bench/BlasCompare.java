package align4j.bench;

import align4j.tensor.MatMul;
import align4j.tensor.NativeBlas;
import align4j.tensor.Parallel;
import java.util.SplittableRandom;

/**
 * The Java products against OpenBLAS ({@code --blas openblas}), alternating in one JVM, best of 3 calls per
 * layout and round; prints GFLOP/s and the ratio of the round means after the first (docs/performance.md#native-blas).
 * <pre>mvn -q -o test-compile && OPENBLAS_CORETYPE=SkylakeX java --add-modules jdk.incubator.vector
 *   --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes align4j.bench.BlasCompare
 *   THREADS ROUNDS 3072x384x1536 2048x768x3072 1024x768x50257</pre>
 */
public final class BlasCompare {
    private static float[] rnd(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    /** Fastest of reps calls, in seconds. */
    private static double best(Runnable op, int reps) {
        double b = 1e9;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            b = Math.min(b, (System.nanoTime() - t0) / 1e9);
        }
        return b;
    }


    public static void main(String[] args) {
        Parallel.setThreads(Integer.parseInt(args[0]));
        int rounds = Integer.parseInt(args[1]);
        System.out.println("lib " + NativeBlas.describe());
        for (int a = 2; a < args.length; a++) {
            String[] d = args[a].split("x"); int m = Integer.parseInt(d[0]), k = Integer.parseInt(d[1]), n = Integer.parseInt(d[2]);
            float[] x = rnd(m * k), w = rnd(n * k), y = new float[m * n], dy = rnd(m * n), dx = new float[m * k], dw = new float[n * k];
            double fl = 2.0 * m * n * k; double[][] g = new double[2][3];
            for (int r = 0; r < rounds; r++) for (int v = 0; v < 2; v++) {
                NativeBlas.enable(v == 1);
                double f = fl / best(() -> MatMul.forward(y, x, w, null, m, k, n), 3) / 1e9;
                double bi = fl / best(() -> MatMul.backwardInput(dx, dy, w, m, k, n), 3) / 1e9;
                double bw = fl / best(() -> MatMul.backwardWeight(dw, null, dy, x, m, k, n), 3) / 1e9;
                if (r > 0) { g[v][0] += f; g[v][1] += bi; g[v][2] += bw; }
                System.out.printf("%s round %d %-8s fwd %6.1f dX %6.1f dW %6.1f%n", args[a], r, v == 1 ? "openblas" : "java", f, bi, bw);
            }
            System.out.printf("%s openblas/java (mean of rounds 2..): fwd %.2f dX %.2f dW %.2f%n", args[a], g[1][0]/g[0][0], g[1][1]/g[0][1], g[1][2]/g[0][2]);
        }
    }
}
