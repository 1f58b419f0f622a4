package align4j.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Maximising the KL-regularised objective J(θ) = E_x[E_π r − β·KL(π_θ‖π_ref)] directly, by exact
 * policy-gradient ascent on tabular softmax logits, reaches the same π* as DPO does: the
 * RLHF route and the DPO route share their optimum (docs/references.md#kl-regularised-optimum).
 */
class KlRegularisedPolicyGradientTest {
    private final Bandit bandit = Bandit.example();

    /**
     * ∂J/∂θ(x, k) = ν(x)·π(k)·(A(k) − Σ_y π(y)·A(y)), A(y) = r(y) − β·log π(y)/π_ref(y): the "+1" that
     * differentiating π·log π adds sums to zero against Σ_y ∂π(y) = 0.
     */
    private double[][] gradient(double[][] theta, double beta) {
        double[][] pi = Bandit.policy(theta);
        double[][] grad = new double[theta.length][];
        for (int x = 0; x < theta.length; x++) {
            int n = theta[x].length;
            double[] adv = new double[n];
            double mean = 0;
            for (int y = 0; y < n; y++) {
                adv[y] = bandit.reward[x][y] - beta * Math.log(pi[x][y] / bandit.ref[x][y]);
                mean += pi[x][y] * adv[y];
            }
            grad[x] = new double[n];
            for (int k = 0; k < n; k++) grad[x][k] = bandit.promptWeight[x] * pi[x][k] * (adv[k] - mean);
        }
        return grad;
    }

    private double[][] ascend(double beta, int steps, double lr) {
        double[][] theta = bandit.referenceLogits();
        for (int step = 0; step < steps; step++) {
            double[][] g = gradient(theta, beta);
            for (int x = 0; x < theta.length; x++) {
                for (int y = 0; y < theta[x].length; y++) theta[x][y] += lr * g[x][y];
            }
        }
        return Bandit.policy(theta);
    }

    @Test
    void exactGradientMatchesCentralFiniteDifferencesOfTheObjective() {
        double beta = 0.5;
        double[][] theta = {{0.3, -0.2, 0.5, 0.1}, {0.0, 0.4, -0.6, 0.2, 0.1}, {-0.3, 0.2, 0.0, 0.5, -0.1, 0.3}};
        double[][] g = gradient(theta, beta);
        double eps = 1e-6;
        for (int x = 0; x < theta.length; x++) {
            for (int y = 0; y < theta[x].length; y++) {
                double saved = theta[x][y];
                theta[x][y] = saved + eps;
                double plus = bandit.objective(Bandit.policy(theta), beta);
                theta[x][y] = saved - eps;
                double minus = bandit.objective(Bandit.policy(theta), beta);
                theta[x][y] = saved;
                assertEquals((plus - minus) / (2 * eps), g[x][y], 1e-8, "x=" + x + " y=" + y);
            }
        }
    }

    @Test
    void policyGradientAscentConvergesToTheSameOptimumAsDpo() {
        double beta = 0.5;
        double[][] pi = ascend(beta, 5_000, 20);
        double kl = bandit.meanKl(pi, bandit.optimum(beta));
        assertTrue(kl < 1e-10, "KL(π_θ‖π*) = " + kl);
    }

    @Test
    void policyGradientOptimumApproachesArgmaxForSmallBetaAndReferenceForLargeBeta() {
        // the limits of the notes, reached by optimising J rather than read off the closed form
        double[][] greedy = ascend(0.02, 20_000, 20);
        for (int x = 0; x < bandit.prompts(); x++) {
            double p = greedy[x][Bandit.argmax(bandit.reward[x])];
            assertTrue(p > 0.99, "β=0.02, prompt " + x + ": π(argmax r) = " + p);
        }
        // KL(π*‖π_ref) ≈ Var_ref(r)/(2β²) ≈ 2e-5 at β = 100 and 2e-9 at β = 1e4
        double[][] near = ascend(100, 2_000, 5.0 / 100);
        assertTrue(bandit.meanKl(near, bandit.ref) < 1e-4, "β=100: KL(π‖π_ref) = " + bandit.meanKl(near, bandit.ref));
        double[][] stay = ascend(1e4, 2_000, 5.0 / 1e4);
        assertTrue(bandit.meanKl(stay, bandit.ref) < 1e-8, "β=1e4: KL(π‖π_ref) = " + bandit.meanKl(stay, bandit.ref));
    }
}
