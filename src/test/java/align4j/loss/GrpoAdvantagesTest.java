package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.GrpoAdvantages.ScaleRewards;
import org.junit.jupiter.api.Test;

class GrpoAdvantagesTest {
    // Two prompts, G = 3: group 0 rewards (1, 0, 0), group 1 rewards (0.5, 0.5, 0.5).
    private static final float[] R = {1f, 0f, 0f, 0.5f, 0.5f, 0.5f};

    @Test
    void groupScalingDividesByUnbiasedGroupStdPlusEpsilon() {
        // Group 0: mean 1/3; deviations (2/3, −1/3, −1/3); Σ² = 4/9 + 1/9 + 1/9 = 2/3; unbiased var = 1/3;
        // std = 0.5773503. A = (2/3)/(0.5773503 + 1e-4) = 1.1545006, (−1/3)/0.5774503 = −0.5772503.
        // Group 1: std 0, A = 0/(0 + 1e-4) = 0.
        GrpoAdvantages.Result g = GrpoAdvantages.grpo(R, 3, ScaleRewards.GROUP);
        assertArrayEquals(new float[] {1.1545006f, -0.5772503f, -0.5772503f, 0f, 0f, 0f}, g.advantages(), 1e-6f);
        assertEquals(0.5, g.fracRewardZeroStd(), 1e-12);
        assertEquals(2.5 / 6, g.rewardMean(), 1e-9);
        assertEquals(0.5773503 / 2, g.rewardStd(), 1e-6); // mean over completions of (0.577, 0.577, 0.577, 0, 0, 0)
    }

    @Test
    void batchScalingKeepsGroupMeanButUsesBatchStd() {
        // Batch mean μ = 2.5/6 = 0.4166667; (1 − μ)² = 0.3402778, (0 − 0.41667)² = 0.1736111 (×2), (0.5 − 0.41667)² = 0.0069444 (×3);
        // Σ = 0.3402778 + 0.3472222 + 0.0208333 = 0.7083333; /5 = 0.1416667; std = 0.3763863.
        // A = (r − group mean)/(0.3763863 + 1e-4): 0.6666667/0.3764863 = 1.7707593, −0.3333333/0.3764863 = −0.8853797.
        GrpoAdvantages.Result b = GrpoAdvantages.grpo(R, 3, ScaleRewards.BATCH);
        assertArrayEquals(new float[] {1.7707593f, -0.8853797f, -0.8853797f, 0f, 0f, 0f}, b.advantages(), 1e-6f);
    }

    @Test
    void noScalingIsRewardMinusGroupMean() {
        GrpoAdvantages.Result n = GrpoAdvantages.grpo(R, 3, ScaleRewards.NONE);
        assertArrayEquals(new float[] {2f / 3, -1f / 3, -1f / 3, 0f, 0f, 0f}, n.advantages(), 1e-7f);
    }

    @Test
    void rlooSubtractsMeanOfTheOthers() {
        // Group 0: A0 = 1 − (0 + 0)/2 = 1; A1 = 0 − (1 + 0)/2 = −0.5; A2 = −0.5. Group 1: all 0.
        // (Equivalently G/(G−1)·(r − mean) = 1.5·(2/3, −1/3, −1/3).)
        assertArrayEquals(new float[] {1f, -0.5f, -0.5f, 0f, 0f, 0f}, GrpoAdvantages.rloo(R, 3, false), 1e-7f);
        // Normalised: mean 0, unbiased std of (1, −.5, −.5, 0, 0, 0) = √(1.5/5) = 0.5477226;
        // A/(0.5477226 + 1e-4): 1 → 1.8254086, −0.5 → −0.9127043.
        assertArrayEquals(new float[] {1.8254086f, -0.9127043f, -0.9127043f, 0f, 0f, 0f}, GrpoAdvantages.rloo(R, 3, true), 1e-6f);
    }

    @Test
    void zeroStdFractionCountsDegenerateGroups() {
        assertEquals(1.0, GrpoAdvantages.fracRewardZeroStd(new float[] {1, 1, 0, 0}, 2));
        assertEquals(0.0, GrpoAdvantages.fracRewardZeroStd(new float[] {1, 0, 0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> GrpoAdvantages.fracRewardZeroStd(new float[] {1, 0, 0}, 2));
    }
}
