package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.KlEstimators.Estimator;
import org.junit.jupiter.api.Test;

class PpoRewardsTest {
    // Sequence 0: log π = (−1, −2), log π_ref = (−1.5, −1.5), score 1.0.
    // Sequence 1: log π = (−0.5), log π_ref = (−0.7), score −1.0.
    private static final float[] LOGP = {-1f, -2f, -0.5f}, REF = {-1.5f, -1.5f, -0.7f}, SCORES = {1f, -1f};
    private static final int[] OFFSETS = {0, 2, 3};

    @Test
    void k1PenaltyAtEveryTokenAndScoreAtTheLastToken() {
        // k1 = log π − log π_ref = (0.5, −0.5 | 0.2); β = 0.1:
        // rewards = (−0.05, 0.05 + 1.0 | −0.02 − 1.0) = (−0.05, 1.05 | −1.02).
        // objective/kl = mean(0.5 − 0.5, 0.2) = 0.1; non_score_reward = −0.1·0.1 = −0.01;
        // scores = 0; rlhf_reward = −0.01; entropy = mean(1 + 2, 0.5) = 1.75.
        float[] rewards = new float[3];
        PpoRewards.Stats s = PpoRewards.shape(LOGP, REF, OFFSETS, SCORES, 0.1, Estimator.K1, rewards);
        assertArrayEquals(new float[] {-0.05f, 1.05f, -1.02f}, rewards, 1e-6f);
        assertEquals(0.1, s.kl(), 1e-6);
        assertEquals(-0.01, s.nonScoreReward(), 1e-7);
        assertEquals(0.0, s.scores(), 1e-12);
        assertEquals(-0.01, s.rlhfReward(), 1e-7);
        assertEquals(1.75, s.entropy(), 1e-6);
    }

    @Test
    void k3PenaltyUsesRatioOfReferenceToPolicy() {
        // k3 = e^x − 1 − x with x = log π_ref − log π:
        //   x = −0.5 → 0.6065307 − 0.5 = 0.1065307;  x = 0.5 → 1.6487213 − 1.5 = 0.1487213;
        //   x = −0.2 → 0.8187308 − 0.8 = 0.0187308.
        float[] rewards = new float[3];
        PpoRewards.Stats s = PpoRewards.shape(LOGP, REF, OFFSETS, SCORES, 0.1, Estimator.K3, rewards);
        assertArrayEquals(new float[] {-0.01065307f, -0.01487213f + 1f, -0.00187308f - 1f}, rewards, 1e-6f);
        assertEquals((0.1065307 + 0.1487213 + 0.0187308) / 2, s.kl(), 1e-6);
    }
}
