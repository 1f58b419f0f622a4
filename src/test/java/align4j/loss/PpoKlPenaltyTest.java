package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.KlEstimators.Estimator;
import org.junit.jupiter.api.Test;

class PpoKlPenaltyTest {
    /**
     * A = (1, −2), ρ = (1.2, 0.8), β = 0.5, KL(π_old‖π_θ) estimated by k3 on tokens from π_old:
     * k3 = ρ − 1 − log ρ = (0.2 − 0.1823216, −0.2 + 0.2231436) = (0.0176784, 0.0231436).
     * ℓ = −ρA + βk3 = (−1.2 + 0.0088392, 1.6 + 0.0115718) = (−1.1911608, 1.6115718); mean 0.2102055.
     * ∂ℓ/∂log π_θ = −Aρ + β(ρ − 1) = (−1.2 + 0.1, 1.6 − 0.1) = (−1.1, 1.5), times scale ½.
     */
    @Test
    void klPenaltyObjectiveMatchesHandValues() {
        float[] old = {-1f, -1f};
        float[] now = {(float) (-1 + Math.log(1.2)), (float) (-1 + Math.log(0.8))};
        float[] d = new float[2];
        PpoKlPenalty.Stats s = PpoKlPenalty.compute(now, old, new float[] {1f, -2f}, 2, 0.5, Estimator.K3, 0.5, d);
        assertEquals(0.2102055, s.loss(), 1e-6);
        assertEquals((0.0176784 + 0.0231436) / 2, s.kl(), 1e-6);
        assertEquals((1.2 - 1.6) / 2, s.surrogate(), 1e-6);
        assertArrayEquals(new float[] {-0.55f, 0.75f}, d, 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferencesForEveryEstimator() {
        float[] old = {-1.3f, -0.4f, -2.2f}, adv = {0.7f, -1.1f, 0.3f};
        for (Estimator e : Estimator.values()) {
            float[] now = {-1.0f, -0.9f, -2.0f}, d = new float[3];
            PpoKlPenalty.compute(now, old, adv, 3, 0.8, e, 1.0, d);
            for (int t = 0; t < 3; t++) {
                float keep = now[t], up = keep + 1e-3f, down = keep - 1e-3f;
                now[t] = up;
                double lu = PpoKlPenalty.compute(now, old, adv, 3, 0.8, e, 1.0, null).loss();
                now[t] = down;
                double ld = PpoKlPenalty.compute(now, old, adv, 3, 0.8, e, 1.0, null).loss();
                now[t] = keep;
                assertEquals((lu - ld) / ((double) up - down), d[t], 1e-4, e + " token " + t);
            }
        }
    }

    @Test
    void surrogateAloneIsRatioTimesAdvantage() {
        float[] d = new float[1];
        double l = PpoKlPenalty.surrogate(new float[] {(float) (-1 + Math.log(1.2))}, new float[] {-1f}, new float[] {2f}, 1, 1.0, d);
        assertEquals(-2.4, l, 1e-6);
        assertEquals(-2.4f, d[0], 1e-6f);
    }
}
