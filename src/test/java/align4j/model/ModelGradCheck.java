package align4j.model;

import align4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * What whole-model gradient checks share: a random direction u through a tensor with the analytic
 * derivative ∇L·u along it (compared with central differences of L along u), and L = Σ_j w_j·logp_j.
 */
public final class ModelGradCheck {
    private ModelGradCheck() {}

    /** A direction u through a tensor and ∇L·u = Σ_i u_i·grad_i. */
    public record Direction(double[] u, double analytic) {
        /** u_i ~ N(0, 1), drawn in element order from rnd. */
        public static Direction random(SplittableRandom rnd, Tensor t) {
            double[] u = new double[t.size()];
            double analytic = 0;
            for (int i = 0; i < u.length; i++) {
                u[i] = rnd.nextGaussian();
                analytic += u[i] * t.grad[i];
            }
            return new Direction(u, analytic);
        }

        /** Σ_i u_i². */
        public double squaredNorm() {
            double s = 0;
            for (double x : u) s += x * x;
            return s;
        }
    }

    /** Σ_j w_j·logp_j of a forward through the blocks and the LM head (a training forward when training). */
    public static double weightedLogps(Transformer m, Batch b, float[] w, boolean training) {
        float[] logp = m.logps(b, training).logp();
        double s = 0;
        for (int j = 0; j < logp.length; j++) s += w[j] * (double) logp[j];
        return s;
    }
}
