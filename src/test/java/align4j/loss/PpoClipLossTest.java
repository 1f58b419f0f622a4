package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PpoClipLossTest {
    private static final double EPS = 0.2;

    /**
     * ε = 0.2, clip range [0.8, 1.2]. ℓ = max(−Aρ, −A·clip(ρ)); gradient wrt log π_θ is −Aρ on the
     * unclipped branch, 0 on the clipped one.
     * <pre>
     *   A    ρ    −Aρ   −A·clip(ρ)   ℓ      branch     ∂ℓ/∂logπ
     *   2   1.1  −2.2   −2.2        −2.2   inside      −2.2
     *   2   1.5  −3.0   −2.4        −2.4   clipped      0
     *   2   0.5  −1.0   −1.6        −1.0   unclipped   −1.0
     *  −1   1.5   1.5    1.2         1.5   unclipped    1.5
     *  −1   0.5   0.5    0.8         0.8   clipped      0
     *  −1   0.9   0.9    0.9         0.9   inside       0.9
     * </pre>
     * Σℓ = −2.4, mean −0.4; clip fraction 2/6. approx KL = ½·mean((log ρ)²) =
     * ½·(0.0090840 + 0.1644019 + 0.4804530 + 0.1644019 + 0.4804530 + 0.0111008)/6 = 0.1091579;
     * mean ρ = 6.0/6 = 1.
     */
    @Test
    void clipObjectiveAndGradientMatchHandValuesInsideAndOutsideTheRange() {
        double[] a = {2, 2, 2, -1, -1, -1}, rho = {1.1, 1.5, 0.5, 1.5, 0.5, 0.9};
        double[] loss = {-2.2, -2.4, -1.0, 1.5, 0.8, 0.9}, grad = {-2.2, 0, -1.0, 1.5, 0, 0.9};
        float[] oldLogp = new float[6], newLogp = new float[6], adv = new float[6], d = new float[6];
        for (int t = 0; t < 6; t++) {
            assertEquals(loss[t], PpoClipLoss.tokenLoss(Math.log(rho[t]), a[t], EPS, EPS), 1e-12, "loss " + t);
            assertEquals(grad[t], PpoClipLoss.tokenGradient(Math.log(rho[t]), a[t], EPS, EPS), 1e-12, "grad " + t);
            oldLogp[t] = -1.0f;
            newLogp[t] = (float) (-1.0 + Math.log(rho[t]));
            adv[t] = (float) a[t];
        }
        PpoClipLoss.Stats s = PpoClipLoss.compute(newLogp, oldLogp, adv, 6, EPS, EPS, 1.0 / 6, d);
        assertEquals(-0.4, s.loss(), 1e-6);
        assertEquals(2.0 / 6, s.clipFrac(), 1e-12);
        assertEquals(0.1091579, s.approxKl(), 1e-6);
        assertEquals(1.0, s.ratioMean(), 1e-6);
        for (int t = 0; t < 6; t++) assertEquals(grad[t] / 6, d[t], 1e-6, "accumulated grad " + t);
    }

    @Test
    void gradientMatchesFiniteDifferencesAwayFromKinks() {
        double h = 1e-6;
        for (double a : new double[] {1.7, -0.6})
            for (double logRatio : new double[] {-0.9, -0.3, -0.05, 0.07, 0.3, 0.8}) {
                double fd = (PpoClipLoss.tokenLoss(logRatio + h, a, EPS, 0.28) - PpoClipLoss.tokenLoss(logRatio - h, a, EPS, 0.28)) / (2 * h);
                assertEquals(fd, PpoClipLoss.tokenGradient(logRatio, a, EPS, 0.28), 1e-7, a + " " + logRatio);
            }
    }

    @Test
    void asymmetricClipUsesEpsilonHighAboveOne() {
        // ε_low = 0.2, ε_high = 0.28 (DAPO clip-higher): A = 1, ρ = 1.25 is inside [0.8, 1.28].
        assertEquals(-1.25, PpoClipLoss.tokenLoss(Math.log(1.25), 1, 0.2, 0.28), 1e-12);
        assertEquals(-1.25, PpoClipLoss.tokenGradient(Math.log(1.25), 1, 0.2, 0.28), 1e-12);
        assertEquals(0.0, PpoClipLoss.tokenGradient(Math.log(1.25), 1, 0.2, 0.2));
    }

    @Test
    void gradientAccumulates() {
        float[] d = {10f};
        PpoClipLoss.compute(new float[] {-1f}, new float[] {-1f}, new float[] {3f}, 1, EPS, EPS, 1.0, d);
        assertEquals(10f - 3f, d[0], 1e-6f);
    }
}
