package align4j.eval;

import align4j.loss.KlEstimators;
import java.util.Arrays;

/**
 * The math of best-of-N sampling: draw N completions from π, keep the one with the highest reward.
 *
 * <p>Analytic KL (Stiennon et al. 2020, arXiv 2009.01325, App. G.3; Hilton &amp; Gao; Beirami et al.
 * 2024, arXiv 2401.01879): KL(π_BoN‖π) = log N − (N − 1)/N. It is exact when the reward has a
 * continuous distribution under π (no outcome carries probability mass); for a discrete π,
 * Beirami et al. Thm 1 shows it is an upper bound, and coarse-graining the continuous case into
 * outcomes (the data-processing inequality) gives the same bound.
 *
 * <p>The induced distribution on a finite outcome space: order the outcomes by reward and let F be
 * the CDF of π along that order. The best of N iid draws lands in a set of outcomes with equal reward
 * r with probability F(r)^N − F(r⁻)^N (all N draws at most r, not all below r); within that set, the
 * kept draw is distributed as π restricted to the set (draws are exchangeable, so any tie-break that
 * ignores the outcome's identity, first index included, gives this).
 */
public final class BestOfN {
    private BestOfN() {}

    /** log N − (N − 1)/N, in nats. */
    public static double analyticKl(int n) {
        if (n < 1) throw new IllegalArgumentException("N must be ≥ 1, got " + n);
        return Math.log(n) - (n - 1.0) / n;
    }

    /** The distribution of the best of N draws from {@code probs}, ranked by {@code rewards}. */
    public static double[] inducedDistribution(double[] probs, double[] rewards, int n) {
        int m = probs.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(rewards[a], rewards[b]));
        double[] out = new double[m];
        double below = 0;
        for (int i = 0; i < m; ) {
            int j = i;
            double mass = 0;
            while (j < m && rewards[order[j]] == rewards[order[i]]) mass += probs[order[j++]];
            double upTo = Math.min(1.0, below + mass);
            double pick = Math.pow(upTo, n) - Math.pow(below, n);
            for (int k = i; k < j; k++) out[order[k]] = mass > 0 ? pick * probs[order[k]] / mass : 0.0;
            below = upTo;
            i = j;
        }
        return out;
    }

    /** Exact KL(π_BoN‖π) on a finite outcome space. */
    public static double exactKl(double[] probs, double[] rewards, int n) {
        return KlEstimators.categorical(inducedDistribution(probs, rewards, n), probs);
    }

    /** Index of the highest score; the first one on ties. */
    public static int best(float[] scores, int off, int n) {
        int best = off;
        for (int i = off + 1; i < off + n; i++) if (scores[i] > scores[best]) best = i;
        return best - off;
    }

    /** Index of the highest score among scores[off .. off+n); the first one on ties. */
    public static int best(double[] scores, int off, int n) {
        int best = off;
        for (int i = off + 1; i < off + n; i++) if (scores[i] > scores[best]) best = i;
        return best - off;
    }
}
