package align4j.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DPO on Bradley–Terry preferences between π_ref samples recovers π* ∝ π_ref·exp(r/β) (DPO paper
 * §4–5; docs/references.md#dpo): the sigmoid loss is minimised where
 * β·(h(y) − h(y')) = r(y) − r(y'), h = log π_θ/π_ref, and π* is the policy whose h is r/β − log Z.
 * Trained by plain gradient descent on tabular softmax logits, started at π_ref.
 */
class DpoConvergesToKlOptimumTest {
    private static final double BETA = 0.5;
    private final Bandit bandit = Bandit.example();

    @Test
    void gradientDescentOnTheExactExpectedDpoLossReachesTheKlOptimum() {
        // win[x][y][y'] = expected share of samples with (y, y') drawn from π_ref and y preferred:
        // ν(x)·π_ref(y)·π_ref(y')·σ(r(y) − r(y'))
        double[][][] win = new double[bandit.prompts()][][];
        for (int x = 0; x < bandit.prompts(); x++) {
            int n = bandit.ref[x].length;
            win[x] = new double[n][n];
            for (int y = 0; y < n; y++) {
                for (int z = 0; z < n; z++) {
                    if (y == z) continue;
                    win[x][y][z] = bandit.promptWeight[x] * bandit.ref[x][y] * bandit.ref[x][z]
                            * Bandit.sigmoid(bandit.reward[x][y] - bandit.reward[x][z]);
                }
            }
        }
        double[][] pi = train(win, 20_000);
        double kl = bandit.meanKl(pi, bandit.optimum(BETA));
        // 1e-3 would already show convergence; with the exact loss the optimiser gets to round-off (measured 1e-17)
        assertTrue(kl < 1e-10, "KL(π_θ‖π*) = " + kl);
        // and the implicit rewards β·log π_θ/π_ref reproduce every reward difference
        for (int x = 0; x < bandit.prompts(); x++) {
            for (int y = 1; y < pi[x].length; y++) {
                double implicit = BETA * (Math.log(pi[x][y] / bandit.ref[x][y]) - Math.log(pi[x][0] / bandit.ref[x][0]));
                assertEquals(bandit.reward[x][y] - bandit.reward[x][0], implicit, 1e-3, "x=" + x + " y=" + y);
            }
        }
    }

    @Test
    void gradientDescentOnSampledBradleyTerryPreferencesReachesTheKlOptimum() {
        // 400,000 pairs: a prompt from ν, two responses from π_ref, one Bradley–Terry draw
        SplittableRandom rng = new SplittableRandom(2024);
        int samples = 400_000;
        double[][][] win = new double[bandit.prompts()][][];
        for (int x = 0; x < bandit.prompts(); x++) win[x] = new double[bandit.ref[x].length][bandit.ref[x].length];
        for (int i = 0; i < samples; i++) {
            int x = draw(bandit.promptWeight, rng);
            int a = draw(bandit.ref[x], rng), b = draw(bandit.ref[x], rng);
            if (a == b) continue; // identical responses: Δ = 0, a constant loss with no gradient
            boolean aWins = rng.nextDouble() < Bandit.sigmoid(bandit.reward[x][a] - bandit.reward[x][b]);
            win[x][aWins ? a : b][aWins ? b : a] += 1.0 / samples;
        }
        double[][] pi = train(win, 20_000);
        double kl = bandit.meanKl(pi, bandit.optimum(BETA));
        // measured 2.1e-4: what remains is the sampling error of the win shares, not the optimiser's
        assertTrue(kl < 1e-3, "KL(π_θ‖π*) = " + kl);
    }

    /**
     * Gradient descent on L(θ) = Σ win[x][w][l]·(−log σ(β·(h_w − h_l))); with tabular logits
     * h_w − h_l = θ_w − θ_l − log π_ref(w) + log π_ref(l) (the normaliser cancels), so
     * ∂L/∂θ_w = −β·σ(−β·Δ)·win and ∂L/∂θ_l = +β·σ(−β·Δ)·win.
     */
    private double[][] train(double[][][] win, int steps) {
        double[][] theta = bandit.referenceLogits();
        double lr = 50; // the loss is a weighted average with weights ≈ ν·π_ref², so its curvature is small
        for (int step = 0; step < steps; step++) {
            for (int x = 0; x < theta.length; x++) {
                int n = theta[x].length;
                double[] grad = new double[n];
                for (int w = 0; w < n; w++) {
                    for (int l = 0; l < n; l++) {
                        if (win[x][w][l] == 0) continue;
                        double delta = theta[x][w] - theta[x][l] - Math.log(bandit.ref[x][w]) + Math.log(bandit.ref[x][l]);
                        double g = -BETA * Bandit.sigmoid(-BETA * delta) * win[x][w][l];
                        grad[w] += g;
                        grad[l] -= g;
                    }
                }
                for (int y = 0; y < n; y++) theta[x][y] -= lr * grad[y];
            }
        }
        return Bandit.policy(theta);
    }

    private static int draw(double[] p, SplittableRandom rng) {
        double u = rng.nextDouble(), c = 0;
        for (int i = 0; i < p.length - 1; i++) {
            c += p[i];
            if (u < c) return i;
        }
        return p.length - 1;
    }
}
