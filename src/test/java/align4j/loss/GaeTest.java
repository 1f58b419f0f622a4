package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class GaeTest {
    @Test
    void matchesHandWorkedExampleAndStopsAtSequenceEnd() {
        // Two packed sequences: [0,3) and [3,4). γ = 0.9, λ = 0.8, so γλ = 0.72.
        // Sequence 0: r = (0.1, −0.2, 1.0), V = (0.5, 0.4, 0.3), V after the last token = 0.
        //   δ2 = 1.0 + 0.9·0   − 0.3 =  0.70
        //   δ1 = −0.2 + 0.9·0.3 − 0.4 = −0.33
        //   δ0 = 0.1 + 0.9·0.4 − 0.5 = −0.04
        //   A2 = 0.70
        //   A1 = −0.33 + 0.72·0.70  = 0.174
        //   A0 = −0.04 + 0.72·0.174 = 0.08528
        //   returns = A + V = (0.58528, 0.574, 1.0)
        // Sequence 1: r = 2.0, V = 0.5: δ = 2.0 − 0.5 = 1.5 = A, return 2.0 (it must not see
        // sequence 0's values, nor sequence 0 see its value).
        float[] r = {0.1f, -0.2f, 1.0f, 2.0f}, v = {0.5f, 0.4f, 0.3f, 0.5f};
        float[] adv = new float[4], ret = new float[4];
        Gae.compute(r, v, new int[] {0, 3, 4}, 0.9, 0.8, adv, ret);
        assertArrayEquals(new float[] {0.08528f, 0.174f, 0.70f, 1.5f}, adv, 1e-6f);
        assertArrayEquals(new float[] {0.58528f, 0.574f, 1.0f, 2.0f}, ret, 1e-6f);
    }

    @Test
    void gammaAndLambdaOneGiveMonteCarloReturnMinusValue() {
        // With γ = λ = 1, A_t = Σ_{k≥t} r_k − V_t: A0 = (0.1 − 0.2 + 1.0) − 0.5 = 0.4.
        float[] r = {0.1f, -0.2f, 1.0f}, v = {0.5f, 0.4f, 0.3f};
        float[] adv = new float[3], ret = new float[3];
        Gae.compute(r, v, new int[] {0, 3}, 1.0, 1.0, adv, ret);
        assertArrayEquals(new float[] {0.4f, 0.4f, 0.7f}, adv, 1e-6f);
        assertArrayEquals(new float[] {0.9f, 0.8f, 1.0f}, ret, 1e-6f);
    }

    @Test
    void lambdaZeroGivesOneStepTdError() {
        float[] r = {0.1f, -0.2f, 1.0f}, v = {0.5f, 0.4f, 0.3f};
        float[] adv = new float[3], ret = new float[3];
        Gae.compute(r, v, new int[] {0, 3}, 0.9, 0.0, adv, ret);
        assertArrayEquals(new float[] {-0.04f, -0.33f, 0.70f}, adv, 1e-6f);
    }

    @Test
    void whitenUsesUnbiasedVarianceAsTrlMaskedWhiten() {
        // x = (1, 2, 3, 6): mean 3; Σ(x − 3)² = 4 + 1 + 0 + 9 = 14; unbiased var = 14/3;
        // √(14/3 + 1e-8) = 2.1602469; whitened = (−2, −1, 0, 3)/2.1602469.
        float[] x = {1, 2, 3, 6};
        Gae.whiten(x, 4, true);
        assertArrayEquals(new float[] {-0.9258201f, -0.4629100f, 0f, 1.3887301f}, x, 1e-6f);
        float[] y = {1, 2, 3, 6};
        Gae.whiten(y, 4, false); // the mean 3 is added back
        assertArrayEquals(new float[] {2.0741799f, 2.5370899f, 3f, 4.3887301f}, y, 1e-6f);
    }

    @Test
    void whitenRefusesASingleValue() {
        assertThrows(IllegalArgumentException.class, () -> Gae.whiten(new float[] {1f}, 1, true));
    }
}
