package align4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.KlEstimators;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BestOfNTest {
    @Test
    void analyticKlByHand() {
        assertEquals(0.0, BestOfN.analyticKl(1));
        assertEquals(Math.log(2) - 0.5, BestOfN.analyticKl(2), 1e-15); // 0.1931472
        assertEquals(Math.log(4) - 0.75, BestOfN.analyticKl(4), 1e-15); // 0.6362944
    }

    @Test
    void inducedDistributionByHand() {
        // π = (0.5, 0.3, 0.2) with rewards (1, 3, 2), N = 2. Ordered by reward: outcome 0 (F = 0.5),
        // outcome 2 (F = 0.7), outcome 1 (F = 1.0). π_BoN = (0.5², 1 − 0.7², 0.7² − 0.5²) = (0.25, 0.51, 0.24).
        double[] q = BestOfN.inducedDistribution(new double[] {0.5, 0.3, 0.2}, new double[] {1, 3, 2}, 2);
        assertArrayEquals(new double[] {0.25, 0.51, 0.24}, q, 1e-12);
        // Tied rewards for outcomes 1 and 2: the tied block (mass 0.5) gets 1 − 0.5² = 0.75, split 3:2.
        double[] t = BestOfN.inducedDistribution(new double[] {0.5, 0.3, 0.2}, new double[] {1, 2, 2}, 2);
        assertArrayEquals(new double[] {0.25, 0.45, 0.30}, t, 1e-12);
    }

    /**
     * Uniform π on M outcomes with distinct rewards: π_BoN(i) = (i/M)^N − ((i−1)/M)^N (i the reward rank),
     * the continuous law of the maximum of N uniforms (density g(u) = N·u^{N−1}, KL log N − (N−1)/N)
     * coarse-grained into M bins. The chain rule of KL splits the continuous KL into the binned one plus
     * Σ_i π_BoN(i)·KL(g restricted to bin i ‖ uniform on bin i), so the analytic value exceeds the exact
     * one by exactly that sum. Bounding each term: in bin i ≥ 2 the ratio r = g/mean_bin(g) lies in
     * [1/ρ_i, ρ_i] with ρ_i = (i/(i−1))^{N−1} (g is increasing) and has mean 1, so
     * KL = E[r log r] ≤ E[(r − 1)²] ≤ (ρ_i − 1)(1 − 1/ρ_i) ≤ (ρ_i − 1)² (log r ≤ r − 1, Bhatia–Davis);
     * bin 1 holds a scaled Beta(N, 1), whose KL to uniform is log N − (N−1)/N itself.
     */
    @Test
    void exactKlOfUniformApproachesAnalyticKlWithinDiscretisationBound() {
        for (int n : new int[] {2, 4, 16})
            for (int m : new int[] {10, 100, 10_000}) {
                double[] probs = new double[m], rewards = new double[m];
                for (int i = 0; i < m; i++) {
                    probs[i] = 1.0 / m;
                    rewards[i] = (i * 7919L) % m; // distinct, shuffled
                }
                double exact = BestOfN.exactKl(probs, rewards, n), analytic = BestOfN.analyticKl(n);
                double bound = Math.pow(m, -n) * analytic;
                for (int i = 2; i <= m; i++) {
                    double mass = Math.pow((double) i / m, n) - Math.pow((i - 1.0) / m, n);
                    double rho = Math.pow((double) i / (i - 1), n - 1);
                    bound += mass * (rho - 1) * (rho - 1);
                }
                double gap = analytic - exact;
                assertTrue(gap >= -1e-12, "analytic must bound exact: N=" + n + " M=" + m + " gap " + gap);
                assertTrue(gap <= bound + 1e-12, "N=" + n + " M=" + m + " gap " + gap + " > " + bound);
            }
        // At M = 10⁴ the bound is ≈ 2e-7 for N = 4, so the formula is reproduced to 7 digits.
    }

    /** Beirami et al. 2024 Thm 1: for any π, distinct rewards or not, KL(π_BoN‖π) ≤ log N − (N−1)/N. */
    @Test
    void analyticKlBoundsExactKlOnRandomDistributions() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int m = 2 + rng.nextInt(40), n = 1 + rng.nextInt(32);
            double[] p = new double[m], r = new double[m];
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += p[i] = -Math.log(1 - rng.nextDouble());
                r[i] = rng.nextInt(m); // ties allowed
            }
            for (int i = 0; i < m; i++) p[i] /= s;
            assertTrue(BestOfN.exactKl(p, r, n) <= BestOfN.analyticKl(n) + 1e-12, "trial " + trial);
        }
    }

    /**
     * Simulate best-of-N by sampling: N draws from π, keep the highest reward (first on ties). The
     * empirical frequencies must match the induced distribution (each within 5 standard errors), and the
     * KL of the empirical distribution, the exact KL within a CLT-sized tolerance.
     */
    @Test
    void simulatedBestOfNMatchesInducedDistribution() {
        double[] p = {0.05, 0.1, 0.15, 0.2, 0.25, 0.15, 0.1};
        double[] r = {0.3, -1.2, 2.5, 0.9, -0.4, 1.7, 0.0};
        int n = 4, trials = 400_000;
        SplittableRandom rng = new SplittableRandom(11);
        long[] counts = new long[p.length];
        float[] scores = new float[n];
        int[] drawn = new int[n];
        for (int t = 0; t < trials; t++) {
            for (int k = 0; k < n; k++) {
                double u = rng.nextDouble(), c = 0;
                int x = p.length - 1;
                for (int i = 0; i < p.length; i++) if (u < (c += p[i])) { x = i; break; }
                drawn[k] = x;
                scores[k] = (float) r[x];
            }
            counts[drawn[BestOfN.best(scores, 0, n)]]++;
        }
        double[] q = BestOfN.inducedDistribution(p, r, n), emp = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            emp[i] = (double) counts[i] / trials;
            assertEquals(q[i], emp[i], 5 * Math.sqrt(q[i] * (1 - q[i]) / trials), "outcome " + i);
        }
        // KL(emp‖π) − KL(q‖π) ≈ Σ (emp_i − q_i)·(log(q_i/π_i) + 1); its standard error is that of the mean of
        // log(q/π) under q.
        double exact = KlEstimators.categorical(q, p), m2 = 0;
        for (int i = 0; i < p.length; i++) m2 += q[i] * Math.pow(Math.log(q[i] / p[i]), 2);
        double se = Math.sqrt((m2 - exact * exact) / trials);
        assertEquals(exact, KlEstimators.categorical(emp, p), 5 * se + 1e-4);
        assertTrue(exact < BestOfN.analyticKl(n));
    }

    @Test
    void bestPicksFirstMaximum() {
        assertEquals(1, BestOfN.best(new float[] {9f, 0.5f, 2f, 2f}, 1, 3));
    }
}
