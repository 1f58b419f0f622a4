package align4j.train;

import align4j.data.DatasetRecord;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.loss.KlEstimators;
import align4j.model.Batch;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * GRPO (Shao et al. 2024, arXiv 2402.03300) and RLOO (Ahmadian et al. 2024, arXiv 2402.14740) as
 * {@link RlLoop.Algorithm}s: per prompt, sample G completions, score them, turn the group's rewards
 * into one advantage per completion ({@link GrpoAdvantages}), and minimise {@link GrpoLoss} for
 * {@code num_iterations} passes, one optimizer step each. No value model. Follows TRL's GRPOTrainer
 * ({@code _generate_and_score_completions}, {@code _compute_loss}) and RLOOTrainer:
 * <ul>
 *   <li>GRPO: KL to the reference inside the loss, β·k3 per token;</li>
 *   <li>RLOO: KL as detached reward shaping, r_i ← score_i − β·Σ_t k1_t, then the leave-one-out
 *       baseline A_i = r_i − mean_{j≠i} r_j.</li>
 * </ul>
 * With num_iterations = 1 the old policy is the current one (ρ = 1, TRL's shortcut); otherwise its
 * log-probs are computed once, before the first pass.
 */
public final class GrpoTrainer implements RlLoop.Algorithm {
    private final RolloutLogps policy, reference;
    private final RolloutSampler sampler;
    private final RewardFunction reward;
    private final GrpoConfig cfg;
    private final double maxGradNorm;
    private final int microBatches;
    private final List<Tensor> trainable = new ArrayList<>();

    /**
     * reference may be null when β = 0 (no KL term, as TRL loads no reference then). Each optimizer step
     * accumulates gradientAccumulationSteps micro-batches of the batch's completions; their losses are
     * averaged, except dapo's, which is already normalised by the tokens of the whole batch (TRL's
     * {@code num_items_in_batch}).
     */
    public GrpoTrainer(RolloutLogps policy, RolloutLogps reference, RolloutSampler sampler, RewardFunction reward,
                       GrpoConfig cfg, double maxGradNorm, int gradientAccumulationSteps) {
        if (gradientAccumulationSteps < 1) throw new IllegalArgumentException("gradient_accumulation_steps must be ≥ 1");
        if (cfg.beta() != 0 && reference == null) throw new IllegalArgumentException("beta ≠ 0 needs a reference model");
        this.policy = policy;
        this.reference = reference;
        this.sampler = sampler;
        this.reward = reward;
        this.cfg = cfg;
        this.maxGradNorm = maxGradNorm;
        this.microBatches = gradientAccumulationSteps;
        for (Tensor t : policy.parameters()) if (t.isTrainable()) trainable.add(t);
    }

    @Override
    public Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam) {
        return step(prompts, null, sampleSeed, lr, adam);
    }

    @Override
    public Stats step(int[][] prompts, DatasetRecord[] records, long sampleSeed, double lr, AdamW adam) {
        Rollouts r = sampler.sample(prompts, cfg.numGenerations(), sampleSeed).withPromptRecords(records, cfg.numGenerations());
        return update(r, adam, lr);
    }

    /** The update on given rollouts (public for tests that fix the rollouts). */
    public Stats update(Rollouts r, AdamW adam, double lr) {
        int[] off = r.offsets();
        int n = off[r.size()], g = cfg.numGenerations();
        Stats perFunction = new Stats();
        float[] scores = reward.score(r, perFunction);
        float[] refLogp = reference == null ? null : reference.logps(r);
        boolean needOld = cfg.numIterations() > 1 || (cfg.estimator() == GrpoConfig.Estimator.RLOO && refLogp != null);
        float[] oldLogp = needOld ? policy.logps(r) : null;
        Stats st = new Stats();
        float[] rewards = scores.clone();
        if (cfg.estimator() == GrpoConfig.Estimator.RLOO && cfg.beta() != 0) {
            for (int i = 0; i < r.size(); i++) {
                double kl = 0;
                for (int t = off[i]; t < off[i + 1]; t++) kl += KlEstimators.k1(oldLogp[t], refLogp[t]);
                rewards[i] = (float) (scores[i] - cfg.beta() * kl);
            }
        }
        float[] adv;
        if (cfg.estimator() == GrpoConfig.Estimator.GRPO) {
            GrpoAdvantages.Result a = GrpoAdvantages.grpo(rewards, g, cfg.scaleRewards());
            adv = a.advantages();
            st.add("reward_std", a.rewardStd(), 1);
            st.add("frac_reward_zero_std", a.fracRewardZeroStd(), 1);
        } else {
            adv = GrpoAdvantages.rloo(rewards, g, cfg.normalizeAdvantages());
            st.add("frac_reward_zero_std", GrpoAdvantages.fracRewardZeroStd(rewards, g), 1);
        }
        st.add("reward", mean(scores), 1);
        st.merge(perFunction);
        if (cfg.estimator() == GrpoConfig.Estimator.RLOO) st.add("rlhf_reward", mean(rewards), 1);
        GrpoLoss.Config lossCfg = cfg.lossConfig();
        int microSize = (r.size() + microBatches - 1) / microBatches;
        int micro = (r.size() + microSize - 1) / microSize; // chunks actually made
        double gradScale = lossCfg.lossType() == GrpoLoss.LossType.DAPO ? 1.0 : 1.0 / micro;
        List<Batch> batches = new ArrayList<>();
        List<int[]> parts = new ArrayList<>();
        for (int s = 0; s < r.size(); s += microSize) {
            int[] idx = new int[Math.min(r.size(), s + microSize) - s];
            for (int i = 0; i < idx.length; i++) idx[i] = s + i;
            parts.add(idx);
            batches.add(r.select(idx).batch());
        }
        for (int it = 0; it < cfg.numIterations(); it++) {
            double loss = 0;
            Stats itStats = new Stats();
            for (int k = 0; k < parts.size(); k++) {
                int[] idx = parts.get(k);
                int[] subOff = r.select(idx).offsets();
                int m = subOff[idx.length];
                float[] newLogp = policy.forwardForTraining(batches.get(k)).logp();
                float[] subRef = refLogp == null ? null : Rollouts.gather(refLogp, off, idx);
                if (it == 0 && subRef != null) itStats.add("objective/kl", sequenceKl(newLogp, subRef, subOff), idx.length);
                if (it == 0) itStats.add("entropy", policy.meanEntropy(), m);
                float[] dLogp = new float[m];
                float[] subAdv = new float[idx.length];
                for (int i = 0; i < idx.length; i++) subAdv[i] = adv[idx[i]];
                GrpoLoss.Stats ls = GrpoLoss.compute(newLogp, oldLogp == null ? null : Rollouts.gather(oldLogp, off, idx), subRef,
                        subAdv, subOff, lossCfg, n, dLogp);
                for (int t = 0; t < m; t++) dLogp[t] *= (float) gradScale;
                policy.backward(dLogp, null);
                loss += ls.loss() * gradScale;
                if (lossCfg.beta() != 0) itStats.add("kl", ls.kl(), m);
                itStats.add("clip_ratio/low_mean", ls.clipLow(), m);
                itStats.add("clip_ratio/high_mean", ls.clipHigh(), m);
                itStats.add("clip_ratio/region_mean", ls.clipRegion(), m);
            }
            double norm = RlLoop.optimizerStep(trainable, adam, lr, maxGradNorm, loss);
            itStats.add("loss", loss, 1);
            itStats.add("grad_norm", norm, 1);
            st.merge(itStats);
        }
        completionStats(r, st);
        return st;
    }

    /** TRL's completions/* metrics; completions/tokens feeds the tokens/s display. */
    static void completionStats(Rollouts r, Stats st) {
        int min = Integer.MAX_VALUE, max = 0, clipped = 0;
        for (int i = 0; i < r.size(); i++) {
            int len = r.completions()[i].length;
            min = Math.min(min, len);
            max = Math.max(max, len);
            if (r.truncated()[i]) clipped++;
        }
        st.add("completions/mean_length", (double) r.completionTokens() / r.size(), 1);
        st.add("completions/min_length", min, 1);
        st.add("completions/max_length", max, 1);
        st.add("completions/clipped_ratio", (double) clipped / r.size(), 1);
        st.add("completions/tokens", r.completionTokens(), 1);
    }

    /** Mean over sequences of Σ_t k1: the one-sample estimate of KL(π‖π_ref) per completion (TRL objective/kl). */
    static double sequenceKl(float[] logp, float[] refLogp, int[] off) {
        double s = 0;
        for (int t = 0; t < off[off.length - 1]; t++) s += KlEstimators.k1(logp[t], refLogp[t]);
        return s / (off.length - 1);
    }

    private static double mean(float[] x) {
        return sum(x, x.length) / x.length;
    }

    private static double sum(float[] x, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i];
        return s;
    }
}
