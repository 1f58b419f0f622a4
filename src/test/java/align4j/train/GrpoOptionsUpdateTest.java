package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.GrpoLoss;
import align4j.model.Batch;
import align4j.model.ModelConfig;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One GRPO update with mask_truncated_completions and top_entropy_quantile on fixed rollouts, against a
 * recomputation from the formulas on a twin model with unshared sequences. With num_iterations = 1, ρ = 1, so the
 * per-token gradient is w_t·(−A_i·1[H_t ≥ q_{0.5}] + β·(1 − π_ref/π)) with w = 1/(|o_i|·B) for a completion that
 * ended at a stop token and 0 for one cut at the length limit; the advantages still come from every completion of
 * the group, and the median q_{0.5} is over the tokens of the kept completions.
 */
class GrpoOptionsUpdateTest {
    static final int G = 3, TARGET = 5;
    static final double BETA = 0.2, LR = 1e-2;

    @Test
    void maskedTruncationAndTopEntropyUpdateEqualsRecomputation() {
        ModelConfig cfg = RlFixtures.config();
        Map<String, Tensor> w = RlFixtures.weights(cfg, 31, 0.3);
        Transformer a = RlFixtures.trainable(cfg, RlFixtures.copy(w)), b = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        for (Tensor t : ref.parameters()) for (int i = 0; i < t.data.length; i++) t.data[i] *= 0.9f;
        Rollouts r = RlFixtures.rollouts(2, G, cfg.vocabSize(), 5);
        boolean[] masked = r.truncated();
        assertTrue(count(masked) > 0 && count(masked) < r.size(), Arrays.toString(masked));

        GrpoConfig gc = GrpoConfig.grpoDefaults().withNumGenerations(G).withBeta(BETA).withLossType(GrpoLoss.LossType.GRPO)
                .withMaxCompletionLength(8).withMaskTruncatedCompletions(true).withTopEntropyQuantile(0.5);
        GrpoTrainer grpo = new GrpoTrainer(new RolloutLogps(a, null, 1.0), new RolloutLogps(ref, null, 1.0), null,
                RewardFunction.targetToken(TARGET), gc, 0, 1);
        grpo.update(r, new AdamW(a.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY), LR);

        int seqs = r.size();
        int[] off = r.offsets();
        Batch plain = PpoUpdateTest.plainBatch(r);
        float[] refLogp = ref.logps(plain, false).logp();
        RolloutLogps twin = new RolloutLogps(b, null, 1.0);
        float[] logp = twin.forwardForTraining(plain).logp();
        double[] entropy = twin.tokenEntropies();
        double[] adv = new double[seqs];
        for (int g = 0; g < seqs / G; g++) {
            double[] rew = new double[G];
            double sum = 0, ss = 0;
            for (int i = 0; i < G; i++) {
                int hits = 0;
                for (int x : r.completions()[g * G + i]) if (x == TARGET) hits++;
                rew[i] = (double) hits / r.completions()[g * G + i].length;
                sum += rew[i];
            }
            double mean = sum / G;
            for (double x : rew) ss += (x - mean) * (x - mean);
            for (int i = 0; i < G; i++) adv[g * G + i] = (rew[i] - mean) / (Math.sqrt(ss / (G - 1)) + 1e-4);
        }
        // the median of the kept tokens' entropies, torch.quantile(x, 0.5)
        double[] kept = new double[off[seqs]];
        int n = 0;
        for (int i = 0; i < seqs; i++) if (!masked[i]) for (int t = off[i]; t < off[i + 1]; t++) kept[n++] = entropy[t];
        kept = Arrays.copyOf(kept, n);
        Arrays.sort(kept);
        double pos = 0.5 * (kept.length - 1), median = kept[(int) pos] + (kept[Math.min((int) pos + 1, kept.length - 1)] - kept[(int) pos]) * (pos - (int) pos);
        float[] dLogp = new float[off[seqs]];
        int dropped = 0;
        for (int i = 0; i < seqs; i++) {
            if (masked[i]) continue;
            double wt = 1.0 / ((off[i + 1] - off[i]) * (double) seqs);
            for (int t = off[i]; t < off[i + 1]; t++) {
                double g = (entropy[t] >= median ? -adv[i] : 0) + BETA * (1 - Math.exp((double) refLogp[t] - logp[t]));
                if (entropy[t] < median) dropped++;
                dLogp[t] = (float) (wt * g);
            }
        }
        assertTrue(dropped > 0, "the entropy mask dropped some tokens");
        twin.backward(dLogp, null);
        new AdamW(b.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY).step(LR);

        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int k = 0; k < pa.size(); k++) {
            for (int i = 0; i < pa.get(k).data.length; i++) {
                assertEquals(pb.get(k).data[i], pa.get(k).data[i], 2e-5, pa.get(k).name + "[" + i + "]");
            }
        }
    }

    private static int count(boolean[] x) {
        int c = 0;
        for (boolean v : x) if (v) c++;
        return c;
    }
}
