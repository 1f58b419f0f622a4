package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.GrpoLoss.Config;
import align4j.loss.GrpoLoss.LossType;
import org.junit.jupiter.api.Test;

class GrpoLossTest {
    // Two sequences of 2 and 1 tokens, advantages (1.0, −0.5); π_old = π_θ (ρ = 1), β = 0, so every token's
    // ℓ = −A: (−1, −1 | 0.5), and ∂ℓ/∂log π = −A.
    private static final int[] OFFSETS = {0, 2, 3};
    private static final float[] LOGP = {-1f, -2f, -0.5f}, ADV = {1.0f, -0.5f};

    private static GrpoLoss.Stats run(LossType type, long accumulated, float[] d) {
        return GrpoLoss.compute(LOGP, null, null, ADV, OFFSETS, new Config(type, 0.2, 0.2, 0.0, 4), accumulated, d);
    }

    @Test
    void grpoAveragesTokensPerSequenceThenSequences() {
        // Per-sequence means: −1 and 0.5; loss = (−1 + 0.5)/2 = −0.25. Weights 1/(|o|·B) = (1/4, 1/4 | 1/2):
        // gradients (−0.25, −0.25 | 0.25).
        float[] d = new float[3];
        assertEquals(-0.25, run(LossType.GRPO, 0, d).loss(), 1e-12);
        assertArrayEquals(new float[] {-0.25f, -0.25f, 0.25f}, d, 1e-7f);
    }

    @Test
    void dapoAndBnpoAverageOverAllTokens() {
        // (−1 − 1 + 0.5)/3 = −0.5; gradients (−1/3, −1/3 | 1/6).
        float[] d = new float[3];
        assertEquals(-0.5, run(LossType.BNPO, 0, d).loss(), 1e-12);
        assertArrayEquals(new float[] {-1f / 3, -1f / 3, 1f / 6}, d, 1e-7f);
        // dapo divides by the tokens of the whole accumulated batch, here 6 (two micro-batches of 3): −1.5/6.
        float[] d2 = new float[3];
        assertEquals(-0.25, run(LossType.DAPO, 6, d2).loss(), 1e-12);
        assertArrayEquals(new float[] {-1f / 6, -1f / 6, 1f / 12}, d2, 1e-7f);
    }

    @Test
    void drGrpoDividesBySequencesTimesMaxCompletionLength() {
        // B·max_len = 2·4 = 8: loss = −1.5/8 = −0.1875; gradients (−1/8, −1/8 | 0.5/8).
        float[] d = new float[3];
        assertEquals(-0.1875, run(LossType.DR_GRPO, 0, d).loss(), 1e-12);
        assertArrayEquals(new float[] {-0.125f, -0.125f, 0.0625f}, d, 1e-7f);
    }

    @Test
    void klTermAddsBetaTimesK3() {
        // log π_ref = log π + log 2 on every token: ρ_ref = 2, k3 = 2 − 1 − ln 2 = 0.3068528,
        // ∂k3/∂log π = 1 − ρ_ref = −1. β = 0.1, grpo weights (1/4, 1/4 | 1/2):
        // loss = −0.25 + 0.1·0.3068528·(1/4 + 1/4 + 1/2) = −0.2193147;
        // gradients = −A·w + 0.1·(−1)·w = (−0.275, −0.275 | 0.2).
        float[] ref = new float[3];
        for (int t = 0; t < 3; t++) ref[t] = (float) (LOGP[t] + Math.log(2));
        float[] d = new float[3];
        GrpoLoss.Stats s = GrpoLoss.compute(LOGP, null, ref, ADV, OFFSETS, new Config(LossType.GRPO, 0.2, 0.2, 0.1, 4), 0, d);
        assertEquals(-0.2193147, s.loss(), 1e-6);
        assertEquals(0.3068528, s.kl(), 1e-6);
        assertArrayEquals(new float[] {-0.275f, -0.275f, 0.2f}, d, 1e-6f);
    }

    @Test
    void gradientMatchesFiniteDifferencesWithOldPolicyAndReference() {
        float[] old = {-1.2f, -1.7f, -0.9f, -2.0f, -0.3f}, ref = {-1.0f, -2.1f, -0.6f, -1.5f, -0.4f};
        float[] adv = {0.8f, -1.3f};
        int[] offsets = {0, 3, 5};
        for (LossType type : LossType.values()) {
            Config c = new Config(type, 0.2, 0.28, 0.05, 6);
            float[] now = {-1.1f, -1.6f, -1.3f, -1.9f, -0.35f}, d = new float[5];
            GrpoLoss.compute(now, old, ref, adv, offsets, c, 10, d);
            for (int t = 0; t < 5; t++) {
                float keep = now[t], up = keep + 1e-3f, down = keep - 1e-3f;
                now[t] = up;
                double lu = GrpoLoss.compute(now, old, ref, adv, offsets, c, 10, null).loss();
                now[t] = down;
                double ld = GrpoLoss.compute(now, old, ref, adv, offsets, c, 10, null).loss();
                now[t] = keep;
                assertEquals((lu - ld) / ((double) up - down), d[t], 1e-5, type + " token " + t);
            }
        }
    }

    @Test
    void clipRatiosCountLowAndHighClippedTokens() {
        // Token ratios: e^{0.3} = 1.35 > 1.28 with A > 0 → high; e^{−0.3} = 0.74 < 0.8 with A < 0 → low;
        // e^{0.3} with A < 0 → neither. 2 of 3 tokens clipped.
        float[] old = {-1f, -1f, -1f}, now = {-0.7f, -1.3f, -0.7f};
        GrpoLoss.Stats s = GrpoLoss.compute(now, old, null, new float[] {1f, -1f}, new int[] {0, 1, 3},
                new Config(LossType.BNPO, 0.2, 0.28, 0, 8), 0, null);
        assertEquals(1.0 / 3, s.clipHigh(), 1e-12);
        assertEquals(1.0 / 3, s.clipLow(), 1e-12);
        assertEquals(2.0 / 3, s.clipRegion(), 1e-12);
    }
}
