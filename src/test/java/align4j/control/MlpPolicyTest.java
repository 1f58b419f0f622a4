package align4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MlpPolicyTest {
    private static final int[] SIZES = {3, 5, 4, 3};
    private static final float[] SCALE = {1f, 2f, 0.5f};
    private static final float[] OBS = {0.3f, -0.8f, 0.15f};

    @Test
    void backwardMatchesCentralFiniteDifferencesOfAProjectedLogit() {
        MlpPolicy policy = new MlpPolicy(SIZES, SCALE, new SplittableRandom(1));
        float[] dLogits = {0.7f, -1.3f, 0.4f};
        float[] grad = new float[policy.parameterCount()];
        policy.forward(OBS, 0);
        policy.backward(dLogits, grad);
        float[] p = policy.parameters();
        for (int i = 0; i < p.length; i++) {
            float saved = p[i];
            double eps = 1e-2;
            p[i] = (float) (saved + eps);
            double plus = project(policy.forward(OBS, 0), dLogits);
            p[i] = (float) (saved - eps);
            double minus = project(policy.forward(OBS, 0), dLogits);
            p[i] = saved;
            // central differences in float: truncation O(eps²) plus rounding ~1e-7/eps
            assertEquals((plus - minus) / (2 * eps), grad[i], 2e-4, "parameter " + i);
        }
    }

    @Test
    void logProbGradientMatchesFiniteDifferencesAndAccumulates() {
        MlpPolicy policy = new MlpPolicy(SIZES, SCALE, new SplittableRandom(2));
        float[] grad = new float[policy.parameterCount()];
        java.util.Arrays.fill(grad, 1f); // backward adds to what is there
        float[] scratch = new float[3];
        double scale = -0.6;
        double logp = policy.accumulateLogProbGradient(OBS, 0, 2, scale, scratch, grad);
        assertEquals(policy.logProb(OBS, 0, 2), logp, 1e-12);
        float[] p = policy.parameters();
        for (int i = 0; i < p.length; i++) {
            float saved = p[i];
            double eps = 1e-2;
            p[i] = (float) (saved + eps);
            double plus = policy.logProb(OBS, 0, 2);
            p[i] = (float) (saved - eps);
            double minus = policy.logProb(OBS, 0, 2);
            p[i] = saved;
            assertEquals(1 + scale * (plus - minus) / (2 * eps), grad[i], 2e-4, "parameter " + i);
        }
    }

    @Test
    void probabilitiesAreASoftmaxOfTheLogitsAndSamplingFollowsThem() {
        MlpPolicy policy = new MlpPolicy(SIZES, SCALE, new SplittableRandom(3));
        double[] probs = new double[3];
        policy.probabilities(OBS, 0, probs);
        assertEquals(1.0, probs[0] + probs[1] + probs[2], 1e-12);
        for (int a = 0; a < 3; a++) assertEquals(Math.log(probs[a]), policy.logProb(OBS, 0, a), 1e-9);
        int[] counts = new int[3];
        SplittableRandom rng = new SplittableRandom(4);
        int n = 200_000;
        for (int i = 0; i < n; i++) counts[policy.sample(OBS, 0, rng)]++;
        for (int a = 0; a < 3; a++) {
            double se = Math.sqrt(probs[a] * (1 - probs[a]) / n);
            assertEquals(probs[a], counts[a] / (double) n, 5 * se, "action " + a);
        }
    }

    @Test
    void copyIsIndependent() {
        MlpPolicy policy = new MlpPolicy(SIZES, SCALE, new SplittableRandom(5));
        MlpPolicy copy = policy.copy();
        double before = copy.logProb(OBS, 0, 1);
        assertEquals(policy.logProb(OBS, 0, 1), before);
        policy.parameters()[0] += 1f;
        assertEquals(before, copy.logProb(OBS, 0, 1));
    }

    private static double project(float[] logits, float[] w) {
        double s = 0;
        for (int i = 0; i < w.length; i++) s += (double) logits[i] * w[i];
        return s;
    }
}
