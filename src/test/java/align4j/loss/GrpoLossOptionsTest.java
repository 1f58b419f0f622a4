package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.GrpoLoss.Config;
import align4j.loss.GrpoLoss.ImportanceSamplingLevel;
import align4j.loss.GrpoLoss.LossType;
import org.junit.jupiter.api.Test;

/**
 * TRL's GRPO loss options in {@link GrpoLoss}: GSPO's sequence-level ratio, masked (truncated) completions and the
 * entropy mask, against hand computations and finite differences.
 */
class GrpoLossOptionsTest {
    // As GrpoLossTest: two sequences of 2 and 1 tokens, advantages (1.0, −0.5), ρ = 1, β = 0, so ℓ_t = −A.
    private static final int[] OFFSETS = {0, 2, 3};
    private static final float[] LOGP = {-1f, -2f, -0.5f}, ADV = {1.0f, -0.5f};

    @Test
    void maskedSequencesTakeNoPartButStillCountAsSequences() {
        boolean[] masked = {false, true};
        // grpo: per-sequence means (−1, masked) over B = 2: −0.5; weights 1/(2·2) on the kept tokens
        float[] d = new float[3];
        GrpoLoss.Stats s = GrpoLoss.compute(LOGP, null, null, ADV, OFFSETS, masked, null, new Config(LossType.GRPO, 0.2, 0.2, 0, 4), 0, d);
        assertEquals(-0.5, s.loss(), 1e-12);
        assertArrayEquals(new float[] {-0.25f, -0.25f, 0f}, d);
        // bnpo: over the 2 kept tokens; dapo: over the kept tokens of the whole batch, given as 2
        for (LossType t : new LossType[] {LossType.BNPO, LossType.DAPO}) {
            float[] e = new float[3];
            assertEquals(-1.0, GrpoLoss.compute(LOGP, null, null, ADV, OFFSETS, masked, null, new Config(t, 0.2, 0.2, 0, 4), 2, e).loss(), 1e-12);
            assertArrayEquals(new float[] {-0.5f, -0.5f, 0f}, e, t.toString());
        }
        // dr_grpo: B·max_len = 2·4 keeps B
        assertEquals(-0.25, GrpoLoss.compute(LOGP, null, null, ADV, OFFSETS, masked, null, new Config(LossType.DR_GRPO, 0.2, 0.2, 0, 4),
                0, null).loss(), 1e-12);
    }

    @Test
    void entropyMaskDropsTheRatioTermButKeepsTheKl() {
        // log π_ref = log π + ln 2: k3 = 1 − ln 2 = 0.3068528, ∂k3/∂log π = −1; β = 0.1; grpo weights (1/4, 1/4 | 1/2).
        // Token 1 is outside the mask: its −A·w is dropped. Loss = −1/4 + 0.5/2 + 0.1·0.3068528·1 = 0.03068528;
        // gradients: (−1 − 0.1)/4, −0.1/4, (0.5 − 0.1)/2.
        float[] ref = new float[3];
        for (int t = 0; t < 3; t++) ref[t] = (float) (LOGP[t] + Math.log(2));
        float[] d = new float[3];
        GrpoLoss.Stats s = GrpoLoss.compute(LOGP, null, ref, ADV, OFFSETS, null, new boolean[] {true, false, true},
                new Config(LossType.GRPO, 0.2, 0.2, 0.1, 4), 0, d);
        assertEquals(0.03068528, s.loss(), 1e-6);
        assertArrayEquals(new float[] {-0.275f, -0.025f, 0.2f}, d, 1e-6f);
    }

    @Test
    void sequenceLevelUsesTheExpOfTheMeanLogRatio() {
        // One sequence, log π − log π_old = (0.1, 0.3): s = 0.2, ρ = e^0.2 = 1.2214 on both tokens.
        float[] now = {-1f, -2f}, old = {-1.1f, -2.3f};
        int[] off = {0, 2};
        Config gspo = new Config(LossType.GRPO, 0.2, 0.2, 0, 8, ImportanceSamplingLevel.SEQUENCE);
        // A = 1 > 0 and ρ > 1 + ε_high = 1.2: clipped, ℓ = −1.2 on each token, mean −1.2, no gradient; one sequence clipped
        float[] d = new float[2];
        GrpoLoss.Stats s = GrpoLoss.compute(now, old, null, new float[] {1f}, off, gspo, 0, d);
        assertEquals(-1.2, s.loss(), 1e-6);
        assertArrayEquals(new float[] {0f, 0f}, d);
        assertEquals(1.0, s.clipHigh());
        // A = −1: the unclipped −A·ρ wins, ℓ = ρ; ∂ℓ/∂s = ρ, and ∂s/∂log π_t = 1/2, token weights summing to 1:
        // each token's gradient is ρ/2 = 0.61070138
        d = new float[2];
        s = GrpoLoss.compute(now, old, null, new float[] {-1f}, off, gspo, 0, d);
        double rho = Math.exp(0.2);
        assertEquals(rho, s.loss(), 1e-6);
        assertArrayEquals(new float[] {(float) (rho / 2), (float) (rho / 2)}, d, 1e-6f);
        // token level on the same data: each token its own ratio (e^0.1 and e^0.3), only the second clipped
        GrpoLoss.Stats token = GrpoLoss.compute(now, old, null, new float[] {1f}, off, new Config(LossType.GRPO, 0.2, 0.2, 0, 8), 0, null);
        assertEquals(-(Math.exp(0.1) + 1.2) / 2, token.loss(), 1e-6);
    }

    /** Every option at once, every loss type: the gradient is the loss's derivative, checked by central differences. */
    @Test
    void gradientMatchesFiniteDifferencesWithEveryOption() {
        float[] old = {-1.2f, -1.7f, -0.9f, -2.0f, -0.3f, -0.8f}, ref = {-1.0f, -2.1f, -0.6f, -1.5f, -0.4f, -0.7f};
        float[] adv = {0.8f, -1.3f, 0.4f};
        int[] offsets = {0, 3, 5, 6};
        boolean[] masked = {false, false, true}, policyTokens = {true, false, true, true, true, true};
        for (ImportanceSamplingLevel level : ImportanceSamplingLevel.values()) {
            for (LossType type : LossType.values()) {
                Config c = new Config(type, 0.2, 0.28, 0.05, 6, level);
                float[] now = {-1.1f, -1.6f, -1.3f, -1.9f, -0.35f, -0.5f}, d = new float[6];
                GrpoLoss.compute(now, old, ref, adv, offsets, masked, policyTokens, c, 5, d);
                for (int t = 0; t < 6; t++) {
                    float keep = now[t], up = keep + 1e-3f, down = keep - 1e-3f;
                    now[t] = up;
                    double lu = GrpoLoss.compute(now, old, ref, adv, offsets, masked, policyTokens, c, 5, null).loss();
                    now[t] = down;
                    double ld = GrpoLoss.compute(now, old, ref, adv, offsets, masked, policyTokens, c, 5, null).loss();
                    now[t] = keep;
                    assertEquals((lu - ld) / ((double) up - down), d[t], 1e-5, level + " " + type + " token " + t);
                }
                assertEquals(0f, d[5], level + " " + type + ": the masked sequence has no gradient");
            }
        }
    }

    @Test
    void defaultsGiveTheOriginalLossBitForBit() {
        float[] old = {-1.2f, -1.7f, -0.9f}, ref = {-1.0f, -2.1f, -0.6f}, a = new float[3], b = new float[3];
        Config c = new Config(LossType.DAPO, 0.2, 0.28, 0.05, 6);
        GrpoLoss.Stats x = GrpoLoss.compute(LOGP, old, ref, ADV, OFFSETS, c, 7, a);
        GrpoLoss.Stats y = GrpoLoss.compute(LOGP, old, ref, ADV, OFFSETS, new boolean[2], null,
                new Config(LossType.DAPO, 0.2, 0.28, 0.05, 6, ImportanceSamplingLevel.TOKEN), 7, b);
        assertEquals(x, y);
        assertArrayEquals(a, b);
    }
}
