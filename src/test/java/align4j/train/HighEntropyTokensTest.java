package align4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * top_entropy_quantile's token selection against torch.quantile's linear interpolation, computed by hand:
 * entropies (0.1, 0.5, 0.3 | 0.9, 0.7) sorted are (0.1, 0.3, 0.5, 0.7, 0.9); the 0.5 quantile is the middle one,
 * 0.5, and the 0.6 quantile lies at position 0.6·4 = 2.4, 0.5 + 0.4·(0.7 − 0.5) = 0.58.
 */
class HighEntropyTokensTest {
    static final double[] ENTROPY = {0.1, 0.5, 0.3, 0.9, 0.7};
    static final int[] OFFSETS = {0, 3, 5};

    @Test
    void keepsTheTokensAtOrAboveTheQuantile() {
        // top_entropy_quantile ρ = 0.5 → threshold at the (1 − ρ) = 0.5 quantile, 0.5: ties are kept
        assertArrayEquals(new boolean[] {false, true, false, true, true}, GrpoTrainer.highEntropyTokens(ENTROPY, OFFSETS, null, 0.5));
        // ρ = 0.4 → the 0.6 quantile, 0.58
        assertArrayEquals(new boolean[] {false, false, false, true, true}, GrpoTrainer.highEntropyTokens(ENTROPY, OFFSETS, null, 0.6));
        // ρ → 1: the 0 quantile, the minimum: every token
        assertArrayEquals(new boolean[] {true, true, true, true, true}, GrpoTrainer.highEntropyTokens(ENTROPY, OFFSETS, null, 0.0));
    }

    @Test
    void maskedSequencesNeitherCountNorAreKept() {
        // the second sequence masked: the quantile is over (0.1, 0.3, 0.5); its 0.5 quantile is 0.3
        assertArrayEquals(new boolean[] {false, true, true, false, false},
                GrpoTrainer.highEntropyTokens(ENTROPY, OFFSETS, new boolean[] {false, true}, 0.5));
    }
}
