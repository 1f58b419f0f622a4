package align4j.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IPO paper's toy (Azar et al. 2023, §4.2 and §5.3): two responses, a uniform reference, and data
 * in which y1 always beats y2. Bradley–Terry can only explain p = 1 with r(y1) − r(y2) = ∞, so DPO
 * keeps pushing π(y2) towards 0 whatever β is; IPO's squared loss (h − 1/(2τ))², with
 * h = log π(y1)/π_ref(y1) − log π(y2)/π_ref(y2), stops at h = 1/(2τ), i.e. π(y1) = σ(1/(2τ)).
 * Both are trained by gradient descent on tabular logits (θ1, θ2), where h = θ1 − θ2 for a uniform
 * reference and ∂h/∂θ1 = −∂h/∂θ2 = 1.
 */
class DeterministicPreferencesTest {
    private static final double LR = 0.5;

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 1.0})
    void dpoLogRatioGrowsWithoutBoundAndDrivesTheLoserToZero(double beta) {
        double[] theta = {0, 0};
        double previousH = 0, previousLoser = 0.5;
        int done = 0;
        for (int checkpoint : new int[] {1_000, 10_000, 100_000, 1_000_000}) {
            for (; done < checkpoint; done++) {
                double h = theta[0] - theta[1];
                double g = -beta * Bandit.sigmoid(-beta * h); // d/dh of −log σ(β·h)
                theta[0] -= LR * g;
                theta[1] += LR * g;
            }
            double h = theta[0] - theta[1];
            double loser = Bandit.softmax(theta)[1];
            // gradient flow on −log σ(βh) gives e^{βh} ≈ β²·lr·t, so each tenfold of steps adds ≈ ln 10/β
            assertTrue(h - previousH > 0.5 * Math.log(10) / beta,
                    "β=" + beta + " after " + checkpoint + " steps: h " + previousH + " → " + h);
            assertTrue(loser < previousLoser, "π(y2) " + previousLoser + " → " + loser);
            previousH = h;
            previousLoser = loser;
        }
        assertTrue(previousLoser < 1e-3, "β=" + beta + ": π(y2) = " + previousLoser);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 1.0, 2.0})
    void ipoSettlesAtTheFiniteLogRatioOneOverTwoTau(double tau) {
        double[] theta = {0, 0};
        double target = 1 / (2 * tau);
        double hAt1k = 0;
        for (int step = 1; step <= 100_000; step++) {
            double h = theta[0] - theta[1];
            double g = 2 * (h - target); // d/dh of (h − 1/(2τ))²
            theta[0] -= LR / 4 * g;
            theta[1] += LR / 4 * g;
            if (step == 1_000) hAt1k = theta[0] - theta[1];
        }
        double h = theta[0] - theta[1];
        assertEquals(target, h, 1e-12, "τ=" + tau);
        assertEquals(hAt1k, h, 1e-12, "τ=" + tau + ": the log-ratio stays put once reached");
        assertEquals(Bandit.sigmoid(1 / (2 * tau)), Bandit.softmax(theta)[0], 1e-12, "π(y1) = σ(1/(2τ))");
    }
}
