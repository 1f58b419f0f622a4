package align4j.train;

import align4j.tensor.Tensor;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_} (norm_type 2) does it:
 * ‖g‖ = √(Σ over all trainable tensors of Σ g²), coef = max_grad_norm / (‖g‖ + 1e-6), and every
 * gradient is scaled by coef when coef &lt; 1. The norm is accumulated in double, lane by lane in a
 * fixed order, so it is the same on every run and for every thread count.
 */
public final class GradClip {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen into one double vector. */
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

    private GradClip() {}

    /** √(Σ g²) over every tensor with a gradient (tensors with a null grad are frozen and skipped). */
    public static double globalNorm(List<Tensor> params) {
        double[] lanes = new double[D.length()];
        double tail = 0;
        for (Tensor t : params) {
            float[] g = t.grad;
            if (g == null) continue;
            DoubleVector acc = DoubleVector.zero(D);
            int i = 0;
            for (int upper = F.loopBound(g.length); i < upper; i += F.length()) {
                DoubleVector d = (DoubleVector) FloatVector.fromArray(F, g, i).convertShape(VectorOperators.F2D, D, 0);
                acc = d.fma(d, acc);
            }
            for (int l = 0; l < lanes.length; l++) lanes[l] += acc.lane(l);
            for (; i < g.length; i++) tail += (double) g[i] * g[i];
        }
        double sum = tail;
        for (double l : lanes) sum += l;
        return Math.sqrt(sum);
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
                int i = 0;
                for (int upper = FloatVector.SPECIES_PREFERRED.loopBound(g.length); i < upper;
                     i += FloatVector.SPECIES_PREFERRED.length()) {
                    FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, g, i).mul(c).intoArray(g, i);
                }
                for (; i < g.length; i++) g[i] *= c;
            }
        }
        return norm;
    }
}
