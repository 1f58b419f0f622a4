package align4j.train;

import align4j.data.DatasetRecord;
import align4j.loss.Gae;
import align4j.loss.KlEstimators;
import align4j.loss.PpoClipLoss;
import align4j.loss.PpoKlController;
import align4j.loss.PpoKlPenalty;
import align4j.loss.PpoRewards;
import align4j.loss.PpoValueLoss;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * RLHF with PPO as TRL's PPOTrainer runs one batch (trl/experimental/ppo/ppo_trainer.py, after
 * Ziegler et al. 2019 and Stiennon et al. 2020), as an {@link RlLoop.Algorithm}:
 * <ol>
 *   <li>sample completions from the policy; score them (reward model or programmatic reward), minus the
 *       missing-EOS penalty for completions cut by the length limit;</li>
 *   <li>forward only: the policy's log-probs and values (π_old, V_old) and the frozen reference's log-probs;</li>
 *   <li>per-token rewards r_t = −β·k_t, plus the score at the last token ({@link PpoRewards});
 *       optionally whitened;</li>
 *   <li>GAE(γ, λ) advantages and returns ({@link Gae}), advantages whitened over the batch;</li>
 *   <li>{@code num_ppo_epochs} passes, each over {@code num_mini_batches} shuffled minibatches, one
 *       AdamW step each, on pg + vf_coef·vf with the clipped policy loss ({@link PpoClipLoss}) or PPO-KLPEN
 *       ({@link PpoKlPenalty}) and the clipped value loss ({@link PpoValueLoss}); losses are token means
 *       over the minibatch (TRL's {@code masked_mean});</li>
 *   <li>the KL controller sees the batch's KL (fixed β, or Ziegler's adaptive rule).</li>
 * </ol>
 * The value head is a {@link align4j.model.ScalarHead} on the policy's own hidden states (shared
 * backbone; see {@link RolloutLogps}).
 */
public final class PpoTrainer implements RlLoop.Algorithm {
    private final RolloutLogps policy, reference;
    private final RolloutSampler sampler;
    private final RewardFunction reward;
    private final PpoConfig cfg;
    private final double maxGradNorm;
    private final int microBatches;
    private final PpoKlController klCtl;
    private double klpenBeta;
    private final List<Tensor> trainable = new ArrayList<>();

    /**
     * policy must carry a value head; reference is forward-only. Each minibatch is split into
     * gradientAccumulationSteps micro-batches whose token-mean losses are averaged (TRL: a minibatch is
     * per_device_train_batch_size × gradient_accumulation_steps rollouts).
     */
    public PpoTrainer(RolloutLogps policy, RolloutLogps reference, RolloutSampler sampler, RewardFunction reward,
                      PpoConfig cfg, double maxGradNorm, int gradientAccumulationSteps) {
        if (gradientAccumulationSteps < 1) throw new IllegalArgumentException("gradient_accumulation_steps must be ≥ 1");
        if (!policy.hasValueHead()) throw new IllegalArgumentException("PPO needs a value head on the policy");
        this.policy = policy;
        this.reference = reference;
        this.sampler = sampler;
        this.reward = reward;
        this.cfg = cfg;
        this.maxGradNorm = maxGradNorm;
        this.microBatches = gradientAccumulationSteps;
        this.klCtl = cfg.adaptiveKl() ? PpoKlController.adaptive(cfg.klCoef(), cfg.target(), cfg.horizon())
                : PpoKlController.fixed(cfg.klCoef());
        this.klpenBeta = cfg.klpenBeta();
        for (Tensor t : policy.parameters()) if (t.isTrainable()) trainable.add(t);
    }

    /** The current KL coefficient of the reward (β). */
    public double klCoef() {
        return klCtl.value();
    }

    @Override
    public Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam) {
        return step(prompts, null, sampleSeed, lr, adam);
    }

    @Override
    public Stats step(int[][] prompts, DatasetRecord[] records, long sampleSeed, double lr, AdamW adam) {
        return update(sampler.sample(prompts, 1, sampleSeed).withPromptRecords(records, 1), sampleSeed, adam, lr);
    }

    /**
     * What the update computes before optimising: the inputs of every minibatch, and the per-function reward
     * metrics ({@link RewardFunction#score(Rollouts, Stats)}).
     */
    public record Prepared(float[] oldLogp, float[] oldValues, float[] refLogp, float[] scores, float[] rewards,
                           float[] advantages, float[] returns, PpoRewards.Stats rewardStats, Stats perFunction) {}

    /** Steps 1–4 on given rollouts (public so tests can recompute the update independently). */
    public Prepared prepare(Rollouts r) {
        int[] off = r.offsets();
        int n = off[r.size()];
        RolloutLogps.Scored old = policy.score(r);
        float[] refLogp = reference.logps(r);
        Stats perFunction = new Stats();
        float[] scores = reward.score(r, perFunction).clone();
        if (!Double.isNaN(cfg.missingEosPenalty())) {
            for (int i = 0; i < r.size(); i++) if (r.truncated()[i]) scores[i] -= (float) cfg.missingEosPenalty();
        }
        float[] rewards = new float[n], adv = new float[n], ret = new float[n];
        PpoRewards.Stats rs = PpoRewards.shape(old.logp(), refLogp, off, scores, klCtl.value(), cfg.klEstimator(), rewards);
        if (cfg.whitenRewards()) Gae.whiten(rewards, n, false);
        Gae.compute(rewards, old.values(), off, cfg.gamma(), cfg.lam(), adv, ret);
        Gae.whiten(adv, n, true);
        return new Prepared(old.logp(), old.values(), refLogp, scores, rewards, adv, ret, rs, perFunction);
    }

    /** The whole PPO update of one batch on given rollouts; minibatch order is seeded by seed. */
    public Stats update(Rollouts r, long seed, AdamW adam, double lr) {
        Prepared p = prepare(r);
        int[] off = r.offsets();
        int b = r.size();
        int mbSize = (b + cfg.numMiniBatches() - 1) / cfg.numMiniBatches();
        SplittableRandom rng = new SplittableRandom(seed);
        Stats st = new Stats();
        double klpenKl = 0;
        int klpenCount = 0;
        List<Double> ratioMeans = new ArrayList<>();
        for (int epoch = 0; epoch < cfg.numPpoEpochs(); epoch++) {
            int[] perm = TrainLoop.DataOrder.shuffle(b, rng);
            for (int start = 0; start < b; start += mbSize) {
                int[] mbIdx = Arrays.copyOfRange(perm, start, Math.min(b, start + mbSize));
                int microSize = (mbIdx.length + microBatches - 1) / microBatches;
                int micro = (mbIdx.length + microSize - 1) / microSize; // chunks actually made
                double loss = 0;
                Stats mbStats = new Stats();
                for (int ms = 0; ms < mbIdx.length; ms += microSize) {
                    int[] idx = Arrays.copyOfRange(mbIdx, ms, Math.min(mbIdx.length, ms + microSize));
                    Minibatch mb = minibatchLoss(r.select(idx), Rollouts.gather(p.oldLogp(), off, idx),
                            Rollouts.gather(p.oldValues(), off, idx), Rollouts.gather(p.refLogp(), off, idx),
                            Rollouts.gather(p.advantages(), off, idx), Rollouts.gather(p.returns(), off, idx), 1.0 / micro);
                    loss += mb.loss / micro;
                    mbStats.merge(mb.stats);
                    ratioMeans.add(mb.stats.mean("val/ratio"));
                    if (epoch == cfg.numPpoEpochs() - 1) {
                        klpenKl += mb.klpenKl;
                        klpenCount++;
                    }
                }
                double norm = RlLoop.optimizerStep(trainable, adam, lr, maxGradNorm, loss);
                mbStats.add("grad_norm", norm, micro);
                st.merge(mbStats);
            }
        }
        PpoRewards.Stats rs = p.rewardStats();
        if (ratioMeans.size() > 1) st.add("val/ratio_var", unbiasedVariance(ratioMeans), 1);
        st.add("objective/kl", rs.kl(), 1);
        st.add("objective/entropy", rs.entropy(), 1);
        st.add("objective/non_score_reward", rs.nonScoreReward(), 1);
        st.add("objective/rlhf_reward", rs.rlhfReward(), 1);
        st.add("objective/scores", rs.scores(), 1);
        st.merge(p.perFunction());
        st.add("objective/kl_coef", klCtl.value(), 1);
        int eos = 0;
        for (boolean t : r.truncated()) if (!t) eos++;
        st.add("val/num_eos_tokens", eos, 1);
        GrpoTrainer.completionStats(r, st);
        klCtl.update(rs.kl(), b);
        if (cfg.policyLoss() == PpoConfig.PolicyLoss.KLPEN) {
            st.add("policy/klpen_beta", klpenBeta, 1);
            // Schulman et al. 2017 §4: after the update, compare d = Ê[KL] with d_targ
            klpenBeta = PpoKlPenalty.adaptBeta(klpenBeta, klpenKl / klpenCount, cfg.klpenTarget());
        }
        return st;
    }

    record Minibatch(double loss, double klpenKl, Stats stats) {}

    /**
     * Forward, loss and backward of one micro-batch; gradScale·∂loss/∂θ accumulates into the trainable
     * tensors. The returned loss and stats are unscaled (token means over the micro-batch).
     */
    Minibatch minibatchLoss(Rollouts sub, float[] oldLogp, float[] oldValues, float[] refLogp, float[] adv, float[] ret,
                            double gradScale) {
        int m = sub.completionTokens();
        double scale = 1.0 / m;
        RolloutLogps.Scored now = policy.forwardForTraining(sub.batch());
        float[] dLogp = new float[m], dValues = new float[m];
        Stats st = new Stats();
        st.add("policy/entropy_avg", policy.meanEntropy(), 1);
        double pgLoss, klpenKl = 0;
        PpoClipLoss.Stats clip = PpoClipLoss.compute(now.logp(), oldLogp, adv, m, cfg.cliprange(), cfg.cliprange(), scale,
                cfg.policyLoss() == PpoConfig.PolicyLoss.CLIP ? dLogp : null);
        if (cfg.policyLoss() == PpoConfig.PolicyLoss.CLIP) {
            pgLoss = clip.loss();
        } else if (!cfg.klpenToReference()) {
            PpoKlPenalty.Stats k = PpoKlPenalty.compute(now.logp(), oldLogp, adv, m, klpenBeta, cfg.klEstimator(), scale, dLogp);
            pgLoss = k.loss();
            klpenKl = k.kl();
        } else {
            // ℓ_t = −ρ_t·A_t + β·k3(log π_θ, log π_ref): the KL to the reference inside the objective, with k3 as
            // GRPO uses it. Its gradient (1 − π_ref/π)·∇log π has expectation Σ(π − π_ref)∇log π = ∇KL(π_ref‖π_θ), a
            // pull toward the reference; k1's, ∇log π, has expectation 0 and would leave the ratio term unchecked.
            pgLoss = PpoKlPenalty.surrogate(now.logp(), oldLogp, adv, m, scale, dLogp);
            double kl = 0;
            for (int t = 0; t < m; t++) {
                kl += KlEstimators.k3(now.logp()[t], refLogp[t]);
                dLogp[t] += (float) (scale * klpenBeta * KlEstimators.gradLogp(KlEstimators.Estimator.K3, now.logp()[t], refLogp[t]));
            }
            pgLoss += scale * klpenBeta * kl;
            klpenKl = kl / m;
        }
        PpoValueLoss.Stats vf = PpoValueLoss.compute(now.values(), oldValues, ret, m, cfg.cliprangeValue(), scale, dValues);
        for (int t = 0; t < m; t++) {
            dValues[t] *= (float) (cfg.vfCoef() * gradScale);
            dLogp[t] *= (float) gradScale;
        }
        policy.backward(dLogp, dValues);
        double loss = pgLoss + cfg.vfCoef() * vf.loss();
        st.add("loss", loss, 1);
        st.add("loss/policy_avg", pgLoss, 1);
        st.add("loss/value_avg", vf.loss(), 1);
        st.add("val/clipfrac_avg", vf.clipFrac(), 1);
        st.add("policy/approxkl_avg", clip.approxKl(), 1);
        st.add("policy/clipfrac_avg", clip.clipFrac(), 1);
        st.add("val/ratio", clip.ratioMean(), 1);
        return new Minibatch(loss, klpenKl, st);
    }

    /** TRL's val/ratio_var: torch.var (unbiased) of the micro-batches' mean ratios over the whole update. */
    private static double unbiasedVariance(List<Double> x) {
        double m = 0, ss = 0;
        for (double v : x) m += v / x.size();
        for (double v : x) ss += (v - m) * (v - m);
        return ss / (x.size() - 1);
    }

    @Override
    public Map<String, Double> state() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("kl_coef", klCtl.value());
        s.put("klpen_beta", klpenBeta);
        return s;
    }

    @Override
    public void restore(Map<String, Double> state) {
        if (state.containsKey("kl_coef") && klCtl instanceof PpoKlController.Adaptive a) a.restore(state.get("kl_coef"));
        if (state.containsKey("klpen_beta")) klpenBeta = state.get("klpen_beta");
    }
}
