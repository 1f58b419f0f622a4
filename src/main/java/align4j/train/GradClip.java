package align4j.train;

import align4j.tensor.Parallel;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_} (norm_type 2) does it:
 * ‖g‖ = √(Σ over all trainable tensors of Σ g²), coef = max_grad_norm / (‖g‖ + 1e-6), and every
 * gradient is scaled by coef when coef &lt; 1. The norm is accumulated in double, lane by lane in a
 * fixed order, so it is the same on every run and for every thread count.
 */
public final class GradClip {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    private GradClip() {}

    /** Lanes of the per-tensor sums: the width of a double vector, as the sums were first laid out. */
    private static final int LANES = D.length();

    /**
     * √(Σ g²) over every tensor with a gradient (tensors with a null grad are frozen and skipped).
     * Element i of a tensor goes to lane i mod LANES, summed in order (g² is exact in double, so
     * acc + g·g rounds once, as an FMA would); the lanes of each tensor are added to the totals in
     * tensor order. The tensors are shared out among the threads (contiguous runs of about equal size),
     * each computing its tensors' lanes, which leaves every sum, and so the norm, the same for any thread
     * count. The work is shared among threads because one thread was slow until C2 compiled it
     * (docs/performance.md#gradient-clipping).
     */
    public static double globalNorm(List<Tensor> params) {
        List<float[]> grads = new ArrayList<>();
        for (Tensor t : params) if (t.isTrainable()) grads.add(t.grad);
        int n = grads.size();
        if (n == 0) return 0;
        double[][] lanes = new double[n][LANES];
        // bounds[c] = first tensor of thread c, cut where the running element count passes c/threads
        int threads = Math.min(Parallel.threads(), n);
        long total = 0;
        for (float[] g : grads) total += g.length;
        int[] bounds = new int[threads + 1];
        long run = 0;
        for (int i = 0, c = 1; i < n; i++) {
            run += grads.get(i).length;
            while (c < threads && run * threads >= total * c) bounds[c++] = i + 1;
        }
        bounds[threads] = n;
        Parallel.forChunks(threads, 1, (chunk, s, e) -> {
            for (int c = s; c < e; c++) {
                for (int i = bounds[c]; i < bounds[c + 1]; i++) squares(grads.get(i), lanes[i]);
            }
        });
        double[] sumLanes = new double[LANES];
        double tail = 0;
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < LANES; l++) sumLanes[l] += lanes[i][l];
            // the last (length mod LANES) elements, into one running sum in tensor order
            float[] g = grads.get(i);
            for (int k = g.length - g.length % LANES; k < g.length; k++) tail += (double) g[k] * g[k];
        }
        double sum = tail;
        for (double l : sumLanes) sum += l;
        return Math.sqrt(sum);
    }

    /** acc[l] = Σ g[i]² over i ≡ l (mod LANES) below the last full group of LANES, in order. */
    private static void squares(float[] g, double[] acc) {
        int i = 0, upper = g.length - g.length % LANES;
        if (LANES == 8) {
            double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
            for (; i < upper; i += 8) {
                double d0 = g[i], d1 = g[i + 1], d2 = g[i + 2], d3 = g[i + 3];
                double d4 = g[i + 4], d5 = g[i + 5], d6 = g[i + 6], d7 = g[i + 7];
                a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3;
                a4 += d4 * d4; a5 += d5 * d5; a6 += d6 * d6; a7 += d7 * d7;
            }
            acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
        } else {
            for (; i < upper; i += LANES) {
                for (int l = 0; l < LANES; l++) {
                    double d = g[i + l];
                    acc[l] += d * d;
                }
            }
        }
    }

    /**
     * Clips in place to {@code maxGradNorm} and returns the norm before clipping (TRL's {@code grad_norm}).
     * A non-finite norm is returned unchanged and the gradients are left as they are, so the caller can
     * report the step (torch would scale them by NaN).
     */
    public static double clip(List<Tensor> params, double maxGradNorm) {
        if (!(maxGradNorm > 0)) throw new IllegalArgumentException("max_grad_norm must be > 0, got " + maxGradNorm);
        double norm = globalNorm(params);
        if (!Double.isFinite(norm)) return norm;
        double coef = maxGradNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor t : params) {
                float[] g = t.grad;
                if (g == null) continue;
                // element-wise, so any split gives the same result
                Parallel.forChunks(g.length, 1 << 16, (chunk, start, end) -> {
                    FloatVector cv = FloatVector.broadcast(FloatVector.SPECIES_PREFERRED, c);
                    int i = start;
                    for (int upper = start + FloatVector.SPECIES_PREFERRED.loopBound(end - start); i < upper;
                         i += FloatVector.SPECIES_PREFERRED.length()) {
                        FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, g, i).mul(cv).intoArray(g, i);
                    }
                    for (; i < end; i++) g[i] *= c;
                });
            }
        }
        return norm;
    }
}
