package align4j.train;

import align4j.data.DatasetRecord;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.loss.KlEstimators;
import align4j.model.Batch;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * log-probs are computed once, before the first pass. TRL's {@code mask_truncated_completions},
 * {@code importance_sampling_level} and {@code top_entropy_quantile} act in the loss ({@link GrpoLoss}); with
 * {@code log_completions} each batch's completions are kept for completions.jsonl ({@link #completions}).
 */
public final class GrpoTrainer implements RlLoop.Algorithm {
    private final RolloutLogps policy, reference;
    private final RolloutSampler sampler;
    private final RewardFunction reward;
    private final GrpoConfig cfg;
    private final double maxGradNorm;
    private final int microBatches;
    private final List<Tensor> trainable = new ArrayList<>();
    private final Tokenizer tokenizer;
    private List<Map<String, Object>> lastCompletions = List.of();

    /**
     * reference may be null when β = 0 (no KL term, as TRL loads no reference then). Each optimizer step
     * accumulates gradientAccumulationSteps micro-batches of the batch's completions; their losses are
     * averaged, except dapo's, which is already normalised by the tokens of the whole batch (TRL's
     * {@code num_items_in_batch}).
     */
    public GrpoTrainer(RolloutLogps policy, RolloutLogps reference, RolloutSampler sampler, RewardFunction reward,
                       GrpoConfig cfg, double maxGradNorm, int gradientAccumulationSteps) {
        this(policy, reference, sampler, reward, cfg, maxGradNorm, gradientAccumulationSteps, null);
    }

    /** tokenizer (may be null: token ids are logged) decodes the prompts and completions of completions.jsonl. */
    public GrpoTrainer(RolloutLogps policy, RolloutLogps reference, RolloutSampler sampler, RewardFunction reward,
                       GrpoConfig cfg, double maxGradNorm, int gradientAccumulationSteps, Tokenizer tokenizer) {
        if (gradientAccumulationSteps < 1) throw new IllegalArgumentException("gradient_accumulation_steps must be ≥ 1");
        if (cfg.beta() != 0 && reference == null) throw new IllegalArgumentException("beta ≠ 0 needs a reference model");
        this.policy = policy;
        this.reference = reference;
        this.sampler = sampler;
        this.reward = reward;
        this.cfg = cfg;
        this.maxGradNorm = maxGradNorm;
        this.microBatches = gradientAccumulationSteps;
        this.tokenizer = tokenizer;
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
        int g = cfg.numGenerations();
        Stats perFunction = new Stats();
        Map<String, float[]> perTerm = cfg.logCompletions() ? new LinkedHashMap<>() : null;
        float[] scores = perTerm != null && reward instanceof RewardSum sum ? sum.score(r, perFunction, perTerm) : reward.score(r, perFunction);
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
        if (perTerm != null) lastCompletions = completionRows(r, perTerm, scores, adv);
        GrpoLoss.Config lossCfg = cfg.lossConfig();
        boolean[] masked = cfg.maskTruncatedCompletions() ? r.truncated().clone() : null;
        boolean tokenEntropies = masked != null || cfg.topEntropyQuantile() < 1;
        long lossTokens = GrpoLoss.keptTokens(off, masked); // dapo's num_items_in_batch: the unmasked tokens
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
                boolean[] subMasked = masked == null ? null : select(masked, idx);
                int kept = GrpoLoss.keptTokens(subOff, subMasked);
                float[] newLogp = policy.forwardForTraining(batches.get(k)).logp();
                double[] entropy = tokenEntropies ? policy.tokenEntropies() : null;
                float[] subRef = refLogp == null ? null : Rollouts.gather(refLogp, off, idx);
                if (it == 0 && subRef != null) itStats.add("objective/kl", sequenceKl(newLogp, subRef, subOff), idx.length);
                if (it == 0 && entropy == null) itStats.add("entropy", policy.meanEntropy(), m);
                if (it == 0 && entropy != null && kept > 0) itStats.add("entropy", keptMean(entropy, subOff, subMasked), kept);
                boolean[] policyTokens = cfg.topEntropyQuantile() < 1
                        ? highEntropyTokens(entropy, subOff, subMasked, 1 - cfg.topEntropyQuantile()) : null;
                float[] dLogp = new float[m];
                float[] subAdv = new float[idx.length];
                for (int i = 0; i < idx.length; i++) subAdv[i] = adv[idx[i]];
                GrpoLoss.Stats ls = GrpoLoss.compute(newLogp, oldLogp == null ? null : Rollouts.gather(oldLogp, off, idx), subRef,
                        subAdv, subOff, subMasked, policyTokens, lossCfg, lossTokens, dLogp);
                for (int t = 0; t < m; t++) dLogp[t] *= (float) gradScale;
                policy.backward(dLogp, null);
                loss += ls.loss() * gradScale;
                if (kept == 0) continue; // every completion masked: no token metrics (TRL logs nan)
                if (lossCfg.beta() != 0) itStats.add("kl", ls.kl(), kept);
                double clipUnits = lossCfg.importanceSamplingLevel() == GrpoLoss.ImportanceSamplingLevel.SEQUENCE
                        ? idx.length - count(subMasked) : kept;
                itStats.add("clip_ratio/low_mean", ls.clipLow(), clipUnits);
                itStats.add("clip_ratio/high_mean", ls.clipHigh(), clipUnits);
                itStats.add("clip_ratio/region_mean", ls.clipRegion(), clipUnits);
            }
            double norm = RlLoop.optimizerStep(trainable, adam, lr, maxGradNorm, loss);
            itStats.add("loss", loss, 1);
            itStats.add("grad_norm", norm, 1);
            st.merge(itStats);
        }
        completionStats(r, st);
        return st;
    }

    @Override
    public List<Map<String, Object>> completions() {
        return lastCompletions;
    }

    /**
     * TRL's {@code get_high_entropy_mask}: the tokens of unmasked sequences whose entropy is ≥ the q-quantile of
     * those tokens' entropies (torch.quantile's linear interpolation between the order statistics).
     */
    static boolean[] highEntropyTokens(double[] entropy, int[] off, boolean[] masked, double q) {
        int seqs = off.length - 1, kept = GrpoLoss.keptTokens(off, masked);
        boolean[] keep = new boolean[off[seqs]];
        if (kept == 0) return keep;
        double[] sorted = new double[kept];
        int j = 0;
        for (int s = 0; s < seqs; s++) {
            if (masked == null || !masked[s]) for (int t = off[s]; t < off[s + 1]; t++) sorted[j++] = entropy[t];
        }
        Arrays.sort(sorted);
        double pos = q * (kept - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, kept - 1);
        double threshold = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
        for (int s = 0; s < seqs; s++) {
            if (masked == null || !masked[s]) for (int t = off[s]; t < off[s + 1]; t++) keep[t] = entropy[t] >= threshold;
        }
        return keep;
    }

    /** One completions.jsonl row per completion: prompt, completion, each reward function's value, the total, the advantage. */
    private List<Map<String, Object>> completionRows(Rollouts r, Map<String, float[]> perTerm, float[] scores, float[] adv) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", tokenizer == null ? r.prompts()[i] : tokenizer.decode(r.prompts()[i], false));
            row.put("completion", tokenizer == null ? r.completions()[i] : tokenizer.decode(r.completions()[i], false));
            Map<String, Double> rewards = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : perTerm.entrySet()) rewards.put(e.getKey(), (double) e.getValue()[i]);
            if (!rewards.isEmpty()) row.put("rewards", rewards);
            row.put("reward", (double) scores[i]);
            row.put("advantage", (double) adv[i]);
            rows.add(row);
        }
        return rows;
    }

    private static boolean[] select(boolean[] x, int[] idx) {
        boolean[] out = new boolean[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = x[idx[i]];
        return out;
    }

    private static int count(boolean[] x) {
        int c = 0;
        if (x != null) for (boolean b : x) if (b) c++;
        return c;
    }

    /** Mean of per-token values over the unmasked sequences' tokens. */
    private static double keptMean(double[] x, int[] off, boolean[] masked) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < off.length - 1; i++) {
            if (masked != null && masked[i]) continue;
            for (int t = off[i]; t < off[i + 1]; t++) s += x[t];
            n += off[i + 1] - off[i];
        }
        return s / n;
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
