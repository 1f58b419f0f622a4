package align4j.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link WinRate}'s statistics on synthetic judgements: no model, no judge server. */
class WinRateTest {
    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /**
     * Two policies of equal quality, the policy ~100 characters longer on average, judged by a judge that only likes
     * length: P(policy wins) = σ(3·Δlen/100). The raw win rate is far above ½; the length-controlled rate is ½.
     */
    @Test
    void lengthControlledRateCorrectsALengthBiasedJudge() {
        SplittableRandom rng = new SplittableRandom(7);
        List<WinRate.Judgement> js = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            double lp = 300 + 60 * rng.nextGaussian(), lb = 200 + 60 * rng.nextGaussian();
            double outcome = rng.nextDouble() < sigmoid(3 * (lp - lb) / 100) ? 1 : 0;
            js.add(WinRate.Judgement.of(outcome, lp, lb));
        }
        WinRate.Result r = WinRate.of("length-biased", js, WinRate.Config.defaults());
        assertTrue(r.winRate() > 0.8, "raw win rate " + r.winRate());
        assertTrue(r.interval().low() > 0.75, "the interval excludes ½ by far: " + r.interval());
        assertEquals(0.5, r.lengthControlledWinRate(), 0.04, "length-controlled");
        assertTrue(r.lengthControlled().converged());
        assertTrue(r.lengthControlled().slope() > 0);
        assertEquals(4000, r.pairs());
        assertTrue(Double.isNaN(r.firstPositionRate()));
    }

    /** A better policy (log-odds +1 at equal length) of the same length distribution keeps its advantage: σ(1) ≈ 0.73. */
    @Test
    void lengthControlKeepsARealQualityDifference() {
        SplittableRandom rng = new SplittableRandom(11);
        List<WinRate.Judgement> js = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            double lp = 300 + 60 * rng.nextGaussian(), lb = 200 + 60 * rng.nextGaussian();
            double outcome = rng.nextDouble() < sigmoid(1 + 3 * (lp - lb) / 100) ? 1 : 0;
            js.add(WinRate.Judgement.of(outcome, lp, lb));
        }
        WinRate.Result r = WinRate.of("biased", js, WinRate.Config.defaults());
        assertTrue(r.winRate() > 0.9, "raw " + r.winRate());
        assertEquals(sigmoid(1), r.lengthControlledWinRate(), 0.05);
    }

    @Test
    void tiesCountHalfInvalidAreLeftOutAndPositionBiasIsCounted() {
        // verdicts: index of the preferred position (policy first, then baseline first)
        List<WinRate.Judgement> js = List.of(
                judged(0, 1), // policy both times: win
                judged(1, 0), // baseline both times: loss
                judged(0, 0), // first position both times: tie
                judged(0, 0), // tie
                judged(-1, -1)); // invalid
        WinRate.Result r = WinRate.of("judge", js, WinRate.Config.defaults().withConfidence(0.9));
        assertEquals(1, r.wins());
        assertEquals(2, r.ties());
        assertEquals(1, r.losses());
        assertEquals(1, r.invalid());
        assertEquals(0.5, r.winRate());
        assertEquals(6 / 8.0, r.firstPositionRate()); // 6 of 8 valid verdicts picked the first position
        assertEquals(0.5, r.orderAgreement());
        assertEquals("wilson", r.summary().get("interval").asText());
        assertEquals(0.75, r.summary().get("position_bias").get("first_position_rate").asDouble());
        String page = r.html(3);
        assertTrue(page.contains("Wilson") && page.contains("length-controlled"), page);
    }

    private static WinRate.Judgement judged(int v1, int v2) {
        double sum = 0;
        int n = 0;
        if (v1 >= 0) {
            sum += v1 == 0 ? 1 : 0;
            n++;
        }
        if (v2 >= 0) {
            sum += v2 == 1 ? 1 : 0;
            n++;
        }
        return new WinRate.Judgement(0, 0, "p", "a<b>", "b", 4, 1, n == 0 ? Double.NaN : sum / n, Double.NaN, Double.NaN, v1, v2);
    }
}
