package align4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import align4j.data.ScoredPairs.Pair;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScoredPairsTest {
    @Test
    void allPairsSkipTiesAndPutTheHigherScoreFirst() {
        // scores 1, 3, 2, 3 → order by score (stable): #1 (3), #3 (3), #2 (2), #0 (1); #1 vs #3 tie.
        double[] s = {1, 3, 2, 3};
        assertEquals(List.of(new Pair(1, 2), new Pair(1, 0), new Pair(3, 2), new Pair(3, 0), new Pair(2, 0)),
                ScoredPairs.of(s, Pairing.ALL_PAIRS));
        assertEquals(List.of(new Pair(1, 0)), ScoredPairs.of(s, Pairing.BEST_VS_WORST));
    }

    @Test
    void equalScoresGiveNoPairs() {
        assertEquals(List.of(), ScoredPairs.of(new double[] {0.5, 0.5, 0.5}, Pairing.ALL_PAIRS));
        assertEquals(List.of(), ScoredPairs.of(new double[] {0.5, 0.5}, Pairing.BEST_VS_WORST));
        assertEquals(List.of(), ScoredPairs.of(new double[] {2}, Pairing.BEST_VS_WORST));
    }

    @Test
    void ranksAreBestFirstAndEqualRanksTie() {
        assertEquals(List.of(new Pair(1, 2), new Pair(1, 0), new Pair(2, 0)), ScoredPairs.ofRanks(new int[] {2, 0, 1}, Pairing.ALL_PAIRS));
        assertEquals(List.of(new Pair(0, 1), new Pair(2, 1)), ScoredPairs.ofRanks(new int[] {0, 1, 0}, Pairing.ALL_PAIRS));
    }

    @Test
    void bradleyTerryLabelsFollowSigmoidOfTheScoreGap() {
        // s_b − s_a = ln 3, T = 1: P(b ≻ a) = σ(ln 3) = 3/4.
        double[] s = {0, Math.log(3)};
        SplittableRandom rng = new SplittableRandom(42);
        int n = 20000, bChosen = 0;
        for (int i = 0; i < n; i++) {
            List<Pair> p = ScoredPairs.sampled(s, Pairing.BEST_VS_WORST, 1.0, rng);
            assertEquals(1, p.size());
            if (p.getFirst().chosen() == 1) bChosen++;
        }
        assertEquals(0.75, bChosen / (double) n, 0.015); // 5 standard errors: √(0.75·0.25/20000) ≈ 0.003
        // Temperature 2: σ(ln 3 / 2) = √3/(1+√3) ≈ 0.634.
        rng = new SplittableRandom(7);
        bChosen = 0;
        for (int i = 0; i < n; i++) if (ScoredPairs.sampled(s, Pairing.ALL_PAIRS, 2.0, rng).getFirst().chosen() == 1) bChosen++;
        assertEquals(Math.sqrt(3) / (1 + Math.sqrt(3)), bChosen / (double) n, 0.017);
    }

    @Test
    void bradleyTerryDrawsAreSeededOnePerCandidatePairInOrder() {
        double[] s = {0, 1, 2};
        List<Pair> got = ScoredPairs.sampled(s, Pairing.ALL_PAIRS, 1.0, new SplittableRandom(3));
        SplittableRandom r = new SplittableRandom(3);
        List<Pair> candidates = ScoredPairs.of(s, Pairing.ALL_PAIRS); // (2,1), (2,0), (1,0)
        assertEquals(List.of(new Pair(2, 1), new Pair(2, 0), new Pair(1, 0)), candidates);
        for (int i = 0; i < 3; i++) {
            Pair c = candidates.get(i);
            double p = 1 / (1 + Math.exp(-(s[c.chosen()] - s[c.rejected()])));
            assertEquals(r.nextDouble() < p ? c : new Pair(c.rejected(), c.chosen()), got.get(i));
        }
        assertEquals(got, ScoredPairs.sampled(s, Pairing.ALL_PAIRS, 1.0, new SplittableRandom(3)));
        assertThrows(IllegalArgumentException.class, () -> ScoredPairs.sampled(s, Pairing.ALL_PAIRS, 0, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> ScoredPairs.of(new double[] {0, Double.NaN}, Pairing.ALL_PAIRS));
    }
}
