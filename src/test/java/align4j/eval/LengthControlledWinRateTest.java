package align4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Wilson interval against hand-computed values, and the logistic fit against its closed form. */
class LengthControlledWinRateTest {
    @Test
    void wilsonIntervalMatchesHandComputedValues() {
        assertEquals(1.959963984540054, WilsonInterval.z(0.95), 1e-12);
        assertEquals(2.5758293035489004, WilsonInterval.z(0.99), 1e-12);
        // p = 1/2, n = 100, z = 1.96: centre 1/2, half-width 1.96/1.038416·√(0.0025 + 0.00009604) = 0.0961702
        WilsonInterval a = WilsonInterval.of(0.5, 100, 1.96);
        assertEquals(0.40382982859, a.low(), 1e-10);
        assertEquals(0.59617017141, a.high(), 1e-10);
        // 0 of 10: [0, z²/n / (1 + z²/n)] = [0, 0.38416/1.38416]
        WilsonInterval b = WilsonInterval.of(0, 10, 1.96);
        assertEquals(0, b.low(), 1e-15);
        assertEquals(0.38416 / 1.38416, b.high(), 1e-12);
        // 16 of 20, the textbook example: (0.584, 0.919)
        WilsonInterval c = WilsonInterval.of(0.8, 20, 1.96);
        assertEquals(0.58397827797, c.low(), 1e-10);
        assertEquals(0.91934364673, c.high(), 1e-10);
        assertEquals(new WilsonInterval(0, 1), WilsonInterval.of(0.5, 0, 1.96));
    }

    @Test
    void logisticFitEqualsTheClosedFormOfTwoLengthGroups() {
        // Ten pairs with the policy one unit longer (8 wins), ten one unit shorter (4 wins). Two groups: the maximum
        // likelihood fit is saturated, b₀ ± b₁·x = logit of each group's rate, x = ±1/sd with sd = √(20/19).
        double[] y = new double[20], d = new double[20];
        for (int i = 0; i < 10; i++) {
            d[i] = 1;
            y[i] = i < 8 ? 1 : 0;
            d[10 + i] = -1;
            y[10 + i] = i < 4 ? 1 : 0;
        }
        LengthControlledWinRate.Fit f = LengthControlledWinRate.fit(y, d, 0);
        double l8 = Math.log(0.8 / 0.2), l4 = Math.log(0.4 / 0.6);
        assertTrue(f.converged());
        assertEquals(Math.sqrt(20.0 / 19), f.scale(), 1e-15);
        assertEquals((l8 + l4) / 2, f.intercept(), 1e-9);
        assertEquals((l8 - l4) / 2 * Math.sqrt(20.0 / 19), f.slope(), 1e-9);
        assertEquals(1 / (1 + Math.exp(-(l8 + l4) / 2)), f.winRate(), 1e-9);
    }

    @Test
    void withoutLengthDifferencesTheInterceptIsTheLogitOfTheMeanAndTiesCountHalf() {
        double[] y = {1, 1, 0.5, 0, 1, 0.5}, d = new double[6];
        LengthControlledWinRate.Fit f = LengthControlledWinRate.fit(y, d, 0);
        double mean = Arrays.stream(y).average().orElseThrow();
        assertEquals(Math.log(mean / (1 - mean)), f.intercept(), 1e-10);
        assertEquals(0, f.slope());
        assertEquals(mean, f.winRate(), 1e-12);
    }

    @Test
    void perfectlySeparatedJudgementsStayFiniteAndARidgeMakesThemConverge() {
        double[] y = {1, 1, 1, 0, 0, 0}, d = {3, 2, 1, -1, -2, -3};
        LengthControlledWinRate.Fit f = LengthControlledWinRate.fit(y, d, 0);
        assertFalse(f.converged());
        assertTrue(Double.isFinite(f.intercept()) && Double.isFinite(f.slope()));
        assertEquals(0.5, f.winRate(), 1e-6); // symmetric: the intercept stays 0
        LengthControlledWinRate.Fit r = LengthControlledWinRate.fit(y, d, 1);
        assertTrue(r.converged());
        assertEquals(0, r.intercept(), 1e-9);
        assertTrue(r.slope() > 0);
    }
}
