package align4j.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The closed form of the KL-regularised optimum, π* ∝ π_ref·exp(r/β), and its limits
 * (docs/references.md#kl-regularised-optimum).
 */
class KlRegularisedOptimumTest {
    private final Bandit bandit = Bandit.example();

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 2.0})
    void optimumScoresHigherThanEveryRandomPerturbationOfIt(double beta) {
        double[][] star = bandit.optimum(beta);
        double best = bandit.objective(star, beta);
        SplittableRandom rng = new SplittableRandom(11);
        for (double size : new double[] {1e-3, 1e-2, 0.1, 1.0, 5.0}) {
            for (int trial = 0; trial < 400; trial++) {
                double[][] logits = new double[star.length][];
                for (int x = 0; x < star.length; x++) {
                    logits[x] = new double[star[x].length];
                    for (int y = 0; y < logits[x].length; y++) {
                        logits[x][y] = Math.log(star[x][y]) + size * rng.nextGaussian();
                    }
                }
                double other = bandit.objective(Bandit.policy(logits), beta);
                assertTrue(other < best, "β=" + beta + " perturbation " + size + ": " + other + " ≥ " + best);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 2.0})
    void optimalValueIsBetaTimesLogPartition(double beta) {
        // J(π*) = E_x[β·log Z(x)]: substituting log π*/π_ref = r/β − log Z into J leaves only β·log Z
        double expected = 0;
        for (int x = 0; x < bandit.prompts(); x++) expected += bandit.promptWeight[x] * beta * bandit.logPartition(x, beta);
        assertEquals(expected, bandit.objective(bandit.optimum(beta), beta), 1e-12);
    }

    @Test
    void asBetaShrinksTheOptimumConcentratesOnTheArgmaxOfReward() {
        double previous = 0;
        for (double beta : new double[] {10, 1, 0.3, 0.1, 0.03}) {
            double[][] star = bandit.optimum(beta);
            double massOnArgmax = 0;
            for (int x = 0; x < bandit.prompts(); x++) {
                massOnArgmax += bandit.promptWeight[x] * star[x][Bandit.argmax(bandit.reward[x])];
            }
            assertTrue(massOnArgmax > previous, "β=" + beta + ": " + massOnArgmax + " ≤ " + previous);
            previous = massOnArgmax;
        }
        // the smallest reward gap to the best response is 0.4, so at β = 1e-2 the rest weighs < e^-40
        double[][] star = bandit.optimum(1e-2);
        for (int x = 0; x < bandit.prompts(); x++) {
            assertEquals(1.0, star[x][Bandit.argmax(bandit.reward[x])], 1e-15, "prompt " + x);
        }
    }

    @Test
    void asBetaGrowsTheOptimumReturnsToTheReference() {
        double previous = Double.POSITIVE_INFINITY;
        for (double beta : new double[] {0.1, 1, 10, 100, 1e4}) {
            double kl = bandit.meanKl(bandit.optimum(beta), bandit.ref);
            assertTrue(kl < previous, "β=" + beta + ": KL " + kl + " ≥ " + previous);
            previous = kl;
        }
        // KL(π*‖π_ref) ≈ Var_ref(r)/(2β²) for large β: about 1e-9 at β = 1e4
        assertTrue(previous < 1e-8, "KL at β=1e4: " + previous);
    }
}
