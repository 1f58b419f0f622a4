package align4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.Transformer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Rollout log-probs at temperature T and the entropy of the sampling distribution, against distributions
 * built independently: every candidate next token v scored as its own one-token completion (plain
 * sequences, temperature 1), then p_T ∝ p^{1/T}, which is softmax(logits/T).
 */
class RolloutLogpsTest {
    static final double T = 0.7;

    @Test
    void logpsAndEntropyMatchTheTemperedNextTokenDistribution() {
        ModelConfig cfg = RlFixtures.config();
        Transformer m = new Transformer(cfg, RlFixtures.weights(cfg, 12, 0.3));
        Rollouts r = RlFixtures.rollouts(2, 2, cfg.vocabSize(), 3);
        RolloutLogps scorer = new RolloutLogps(m, null, T);
        float[] logp = scorer.logps(r);
        double entropy = scorer.meanEntropy();

        int v = cfg.vocabSize(), j = 0;
        double entropySum = 0;
        for (int i = 0; i < r.size(); i++) {
            int[] c = r.completions()[i];
            for (int t = 0; t < c.length; t++, j++) {
                int[] context = concat(r.prompts()[i], Arrays.copyOf(c, t));
                BatchBuilder bb = new BatchBuilder();
                for (int x = 0; x < v; x++) bb.addSequence(context, new int[] {x});
                Batch b = bb.build();
                float[] lp = m.logps(b, false).logp();
                double z = 0;
                for (int x = 0; x < v; x++) z += Math.exp(lp[x] / T);
                double h = 0;
                for (int x = 0; x < v; x++) {
                    double lq = lp[x] / T - Math.log(z);
                    h -= Math.exp(lq) * lq;
                }
                entropySum += h;
                assertEquals(lp[c[t]] / T - Math.log(z), logp[j], 1e-4, "rollout " + i + " token " + t);
            }
        }
        assertEquals(entropySum / j, entropy, 1e-4);
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
