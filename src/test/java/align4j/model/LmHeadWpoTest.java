package align4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** WPO's denominators log Σ_v p_v² from the head's kept logits, against a double-precision softmax in the test. */
class LmHeadWpoTest {
    @Test
    void logSumSquaredProbsMatchesADoubleSoftmax() {
        int c = 24, v = 517, rows = 7;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] w = new float[v * c], hidden = new float[rows * c];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rnd.nextGaussian() * 0.9);
        for (int i = 0; i < hidden.length; i++) hidden[i] = (float) rnd.nextGaussian();
        LmHead head = new LmHead(new Tensor("w", new int[] {v, c}, w), c);
        int[] targetRows = {0, 2, 3, 3, 5, 6}, tokens = {4, 100, 516, 0, 77, 300}, seq = {0, 0, 0, 1, 1, 1};
        head.forward(hidden, new Batch.Targets(targetRows, tokens, seq), rows, false);
        float[] got = new float[targetRows.length];
        head.logSumSquaredProbs(got);
        for (int j = 0; j < targetRows.length; j++) {
            double[] z = new double[v];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                double s = 0;
                for (int i = 0; i < c; i++) s += (double) hidden[targetRows[j] * c + i] * w[k * c + i];
                z[k] = s;
                max = Math.max(max, s);
            }
            double sum = 0, sq = 0;
            for (int k = 0; k < v; k++) sum += Math.exp(z[k] - max);
            for (int k = 0; k < v; k++) {
                double p = Math.exp(z[k] - max) / sum;
                sq += p * p;
            }
            // these logits are peaked enough that Σp² is far from 1/V: the check is not of a flat distribution
            assertEquals(Math.log(sq), got[j], 2e-5 * Math.max(1, Math.abs(Math.log(sq))), "row " + j);
        }
    }
}
