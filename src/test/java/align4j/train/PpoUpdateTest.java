package align4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One whole PPO batch update (scoring, KL-shaped rewards, GAE, whitening, two epochs of clipped policy
 * and value loss, AdamW) on fixed rollouts, against a recomputation written out here from the formulas
 * on a twin of the model: plain (unshared) sequences, GAE as the explicit sum Σ_k (γλ)^k δ_{t+k}, the
 * value head by hand, and the per-token gradients of TRL's PPO losses.
 */
class PpoUpdateTest {
    static final double KL_COEF = 0.1, GAMMA = 0.9, LAM = 0.8, CLIP = 0.2, CLIP_V = 0.2, VF = 0.5, LR = 1e-2, EOS_PENALTY = 0.5;
    static final int TARGET = 3;

    @Test
    void batchUpdateEqualsIndependentRecomputation() {
        ModelConfig cfg = RlFixtures.config();
        Map<String, Tensor> w = RlFixtures.weights(cfg, 21, 0.3);
        Transformer a = RlFixtures.trainable(cfg, RlFixtures.copy(w)), b = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        ScalarHead vhA = RlFixtures.valueHead(cfg.hidden(), 4), vhB = RlFixtures.valueHead(cfg.hidden(), 4);
        Rollouts r = RlFixtures.rollouts(4, 1, cfg.vocabSize(), 17);
        // the reference differs from the policy, so the KL term is not zero
        for (Tensor t : ref.parameters()) for (int i = 0; i < t.data.length; i++) t.data[i] *= 0.9f;

        PpoConfig pc = PpoConfig.defaults().withNumPpoEpochs(2).withCliprange(CLIP).withCliprangeValue(CLIP_V).withVfCoef(VF)
                .withGamma(GAMMA).withLam(LAM).withKlCoef(KL_COEF).withMissingEosPenalty(EOS_PENALTY).withTemperature(1.0)
                .withResponseLength(8).withKlpenBeta(0).withKlpenTarget(1);
        RolloutLogps policy = new RolloutLogps(a, vhA, 1.0);
        PpoTrainer ppo = new PpoTrainer(policy, new RolloutLogps(ref, null, 1.0), null, RewardFunction.targetToken(TARGET), pc, 0, 1);
        // ε = 1e-4: gradients that are zero in exact arithmetic (the key bias) stay rounding noise instead of being normalised to ±lr
        AdamW adamA = new AdamW(trainable(policy.parameters()), 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY);
        Stats st = ppo.update(r, 7, adamA, LR);
        // the frozen reference only ran forward: no gradient buffers were ever allocated for it
        for (Tensor t : ref.parameters()) assertNull(t.grad, t.name);

        // --- independent recomputation on the twin b ---
        int seqs = r.size();
        int[] off = r.offsets();
        int n = off[seqs];
        Batch plain = plainBatch(r);
        float[] logp0 = b.logps(plain, false).logp();
        float[] refLogp = ref.logps(plain, false).logp();
        double[] v0 = values(b, vhB, plain);
        double[] score = new double[seqs];
        double klSum = 0;
        double[] rew = new double[n];
        for (int i = 0; i < seqs; i++) {
            int[] c = r.completions()[i];
            int hits = 0;
            for (int x : c) if (x == TARGET) hits++;
            score[i] = (double) hits / c.length - (r.truncated()[i] ? EOS_PENALTY : 0);
            for (int t = off[i]; t < off[i + 1]; t++) {
                double k = logp0[t] - refLogp[t];
                klSum += k;
                rew[t] = -KL_COEF * k + (t == off[i + 1] - 1 ? score[i] : 0);
            }
        }
        double[] adv = new double[n], ret = new double[n];
        for (int i = 0; i < seqs; i++) {
            for (int t = off[i]; t < off[i + 1]; t++) {
                double s = 0;
                for (int u = t; u < off[i + 1]; u++) {
                    double next = u + 1 < off[i + 1] ? v0[u + 1] : 0;
                    s += Math.pow(GAMMA * LAM, u - t) * (rew[u] + GAMMA * next - v0[u]);
                }
                adv[t] = s;
                ret[t] = s + v0[t];
            }
        }
        double mean = 0, var = 0;
        for (double x : adv) mean += x / n;
        for (double x : adv) var += (x - mean) * (x - mean) / (n - 1);
        for (int t = 0; t < n; t++) adv[t] = (adv[t] - mean) / Math.sqrt(var + 1e-8);

        List<Tensor> paramsB = new ArrayList<>(b.parameters());
        paramsB.add(vhB.weight());
        paramsB.add(vhB.bias());
        AdamW adamB = new AdamW(paramsB, 0.9, 0.999, 1e-4, 0, AdamW.HF_DECAY);
        double firstPolicyLoss = 0, firstValueLoss = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            float[] logp = b.logps(plain, true).logp();
            float[] hidden = b.forwardHidden(plain, true); // same activations; keeps them for backward
            double[] v = values(b, vhB, plain);
            float[] dLogp = new float[n];
            double[] dV = new double[n];
            double pl = 0, vl = 0;
            for (int t = 0; t < n; t++) {
                double ratio = Math.exp((double) logp[t] - logp0[t]);
                boolean clipped = adv[t] > 0 ? ratio > 1 + CLIP : ratio < 1 - CLIP;
                pl += Math.max(-adv[t] * ratio, -adv[t] * Math.clamp(ratio, 1 - CLIP, 1 + CLIP)) / n;
                dLogp[t] = clipped ? 0f : (float) (-adv[t] * ratio / n);
                double vc = Math.clamp(v[t], v0[t] - CLIP_V, v0[t] + CLIP_V);
                double l1 = (v[t] - ret[t]) * (v[t] - ret[t]), l2 = (vc - ret[t]) * (vc - ret[t]);
                vl += 0.5 * Math.max(l1, l2) / n;
                dV[t] = VF * (l1 >= l2 ? v[t] - ret[t] : vc == v[t] ? vc - ret[t] : 0) / n;
            }
            if (epoch == 0) {
                firstPolicyLoss = pl;
                firstValueLoss = vl;
            }
            float[] dHidden = new float[plain.size() * cfg.hidden()];
            b.logps(plain, true);
            b.head().backward(dLogp, dHidden);
            Tensor vw = vhB.weight(), vb = vhB.bias();
            int[] rows = plain.targets().rows();
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < cfg.hidden(); i++) {
                    dHidden[rows[t] * cfg.hidden() + i] += (float) (dV[t] * vw.data[i]);
                    vw.grad[i] += (float) (dV[t] * hidden[rows[t] * cfg.hidden() + i]);
                }
                vb.grad[0] += (float) dV[t];
            }
            b.backwardHidden(dHidden);
            adamB.step(LR);
            for (Tensor t : paramsB) t.zeroGrad();
        }

        List<Tensor> paramsA = policy.parameters();
        for (int k = 0; k < paramsA.size(); k++) {
            float[] x = paramsA.get(k).data, y = paramsB.get(k).data;
            for (int i = 0; i < x.length; i++) {
                assertEquals(y[i], x[i], 2e-5, paramsA.get(k).name + "[" + i + "] after the update");
            }
        }
        double meanScore = 0;
        for (double s : score) meanScore += s / seqs;
        assertEquals(klSum / seqs, st.mean("objective/kl"), 1e-5);
        assertEquals(meanScore, st.mean("objective/scores"), 1e-6);
        assertEquals(meanScore - KL_COEF * klSum / seqs, st.mean("objective/rlhf_reward"), 1e-5);
        // loss/value_avg is averaged over both epochs; the first epoch's policy loss is −mean(whitened A) = 0
        assertEquals(0, firstPolicyLoss, 1e-6);
        assertEquals(firstValueLoss > 0, st.mean("loss/value_avg") > 0);
    }

    /** Each rollout as one causal segment (no prefix sharing): an independent packing of the same math. */
    static Batch plainBatch(Rollouts r) {
        BatchBuilder bb = new BatchBuilder();
        for (int i = 0; i < r.size(); i++) bb.addSequence(r.prompts()[i], r.completions()[i]);
        return bb.build();
    }

    /** V at each target row, w·h + b in double, from a fresh forward. */
    static double[] values(Transformer m, ScalarHead vh, Batch batch) {
        float[] h = m.forwardHidden(batch, false);
        float[] w = vh.weight().data;
        float bias = vh.bias().data[0];
        int[] rows = batch.targets().rows();
        int c = m.cfg.hidden();
        double[] v = new double[rows.length];
        for (int j = 0; j < rows.length; j++) {
            double s = bias;
            for (int i = 0; i < c; i++) s += (double) w[i] * h[rows[j] * c + i];
            v[j] = s;
        }
        return v;
    }

    static List<Tensor> trainable(List<Tensor> ps) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ps) if (t.isTrainable()) out.add(t);
        return out;
    }
}
