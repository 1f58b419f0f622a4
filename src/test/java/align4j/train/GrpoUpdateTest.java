package align4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.loss.GrpoLoss;
import align4j.model.Batch;
import align4j.model.ModelConfig;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One GRPO / RLOO update on fixed group rollouts against a recomputation from the formulas on a twin
 * model with unshared sequences. With num_iterations = 1, ρ = 1, so the per-token gradient is
 * w_t·(−A_i + β·(1 − π_ref/π)) for GRPO (w = 1/(|o_i|·B), loss_type grpo) and w_t·(−A_i) for RLOO with
 * A_i = r_i − mean_{j≠i} r_j of the KL-shaped rewards r_i = score_i − β·Σ_t (log π − log π_ref).
 */
class GrpoUpdateTest {
    static final int G = 3, TARGET = 5;
    static final double BETA = 0.2, LR = 1e-2;

    @ParameterizedTest
    @ValueSource(strings = {"grpo", "rloo"})
    void updateEqualsIndependentRecomputation(String estimator) {
        boolean rloo = estimator.equals("rloo");
        ModelConfig cfg = RlFixtures.config();
        Map<String, Tensor> w = RlFixtures.weights(cfg, 31, 0.3);
        Transformer a = RlFixtures.trainable(cfg, RlFixtures.copy(w)), b = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        for (Tensor t : ref.parameters()) for (int i = 0; i < t.data.length; i++) t.data[i] *= 0.9f;
        Rollouts r = RlFixtures.rollouts(2, G, cfg.vocabSize(), 5);

        GrpoConfig gc = GrpoConfig.grpoDefaults().withEstimator(rloo ? GrpoConfig.Estimator.RLOO : GrpoConfig.Estimator.GRPO)
                .withNumGenerations(G).withBeta(BETA).withLossType(GrpoLoss.LossType.GRPO).withMaxCompletionLength(8);
        RolloutLogps policy = new RolloutLogps(a, null, 1.0);
        GrpoTrainer grpo = new GrpoTrainer(policy, new RolloutLogps(ref, null, 1.0), null, RewardFunction.targetToken(TARGET), gc, 0, 1);
        Stats st = grpo.update(r, new AdamW(a.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY), LR);

        int seqs = r.size();
        int[] off = r.offsets();
        Batch plain = PpoUpdateTest.plainBatch(r);
        float[] logp = b.logps(plain, true).logp();
        float[] refLogp = ref.logps(plain, false).logp();
        double[] rew = new double[seqs], adv = new double[seqs];
        double meanScore = 0;
        for (int i = 0; i < seqs; i++) {
            int hits = 0;
            for (int x : r.completions()[i]) if (x == TARGET) hits++;
            rew[i] = (double) hits / r.completions()[i].length;
            meanScore += rew[i] / seqs;
            if (rloo) for (int t = off[i]; t < off[i + 1]; t++) rew[i] -= BETA * (logp[t] - refLogp[t]);
        }
        for (int g = 0; g < seqs / G; g++) {
            double sum = 0, ss = 0;
            for (int i = g * G; i < (g + 1) * G; i++) sum += rew[i];
            double mean = sum / G;
            for (int i = g * G; i < (g + 1) * G; i++) ss += (rew[i] - mean) * (rew[i] - mean);
            double std = Math.sqrt(ss / (G - 1));
            for (int i = g * G; i < (g + 1) * G; i++) {
                adv[i] = rloo ? rew[i] - (sum - rew[i]) / (G - 1) : (rew[i] - mean) / (std + 1e-4);
            }
        }
        float[] dLogp = new float[off[seqs]];
        for (int i = 0; i < seqs; i++) {
            double wt = 1.0 / ((off[i + 1] - off[i]) * (double) seqs);
            for (int t = off[i]; t < off[i + 1]; t++) {
                double g = -adv[i];
                if (!rloo) g += BETA * (1 - Math.exp((double) refLogp[t] - logp[t]));
                dLogp[t] = (float) (wt * g);
            }
        }
        b.backwardLogps(dLogp);
        new AdamW(b.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY).step(LR);

        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int k = 0; k < pa.size(); k++) {
            for (int i = 0; i < pa.get(k).data.length; i++) {
                assertEquals(pb.get(k).data[i], pa.get(k).data[i], 2e-5, estimator + " " + pa.get(k).name + "[" + i + "]");
            }
        }
        assertEquals(meanScore, st.mean("reward"), 1e-6);
    }

    /**
     * dapo normalises by the tokens of the whole batch, so accumulating two micro-batches must give the
     * same update as one batch; with β > 0 and ε small enough that nothing is clipped at ρ = 1.
     */
    @org.junit.jupiter.api.Test
    void dapoWithGradientAccumulationEqualsOneBatch() {
        ModelConfig cfg = RlFixtures.config();
        Map<String, Tensor> w = RlFixtures.weights(cfg, 41, 0.3);
        Transformer one = RlFixtures.trainable(cfg, RlFixtures.copy(w)), two = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        for (Tensor t : ref.parameters()) for (int i = 0; i < t.data.length; i++) t.data[i] *= 0.9f;
        Rollouts r = RlFixtures.rollouts(2, G, cfg.vocabSize(), 8);
        GrpoConfig gc = GrpoConfig.grpoDefaults().withNumGenerations(G).withBeta(BETA).withMaxCompletionLength(8);
        RewardFunction reward = RewardFunction.targetToken(TARGET);
        new GrpoTrainer(new RolloutLogps(one, null, 1.0), new RolloutLogps(ref, null, 1.0), null, reward, gc, 0, 1)
                .update(r, new AdamW(one.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY), LR);
        new GrpoTrainer(new RolloutLogps(two, null, 1.0), new RolloutLogps(ref, null, 1.0), null, reward, gc, 0, 2)
                .update(r, new AdamW(two.parameters(), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY), LR);
        List<Tensor> pa = one.parameters(), pb = two.parameters();
        double moved = 0;
        for (int k = 0; k < pa.size(); k++) {
            for (int i = 0; i < pa.get(k).data.length; i++) {
                assertEquals(pa.get(k).data[i], pb.get(k).data[i], 2e-5, pa.get(k).name + "[" + i + "]");
                moved += Math.abs(pa.get(k).data[i] - w.get(pa.get(k).name).data[i]);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(moved > 0.1, "the update moved the weights");
    }
}
