package align4j.train;

import align4j.data.DatasetRecord;
import align4j.loss.DpoLoss;
import align4j.loss.DpoMetrics;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Online DPO (Guo et al. 2024, arXiv 2402.04792) as an {@link RlLoop.Algorithm}, following TRL's
 * {@code OnlineDPOTrainer.training_step}: per prompt sample 2 completions from the current policy, score both with
 * the reward (minus missing_eos_penalty for a completion that hit max_new_tokens without a stop token), the
 * higher-scored one is chosen (ties: the first sampled, TRL's {@code scores[:n] >= scores[n:]}), and take one
 * optimizer step of {@link DpoObjective} (sigmoid or ipo, β) on those pairs against the frozen reference's summed
 * log-probs. Log-probs in the DPO step are at temperature 1, as DPO's.
 *
 * <p>Metrics, TRL's names: {@code objective/scores} (mean over both completions, after the penalty), {@code objective/scores_margin}
 * (mean chosen − rejected score),
 * {@code objective/kl} (mean over completions of Σ_t log π − log π_ref), {@code objective/entropy} (mean of
 * −Σ_t log π, TRL's estimate), {@code objective/non_score_reward} (−β·kl), {@code objective/rlhf_reward}
 * (scores − β·kl), {@code rewards/chosen|rejected|accuracies|margins}, {@code logps/chosen|rejected},
 * {@code val/contain_eos_token} (the share of completions that ended at a stop token: TRL's "contains the EOS id"
 * when --stop-token eos), {@code beta}, {@code loss}, {@code grad_norm}. Not done: TRL's judge path (pairwise LLM
 * judge), K &gt; 2 completions, and vLLM generation. The
 * batch's micro-batches are one forward (the same mean loss as TRL's accumulation over equal micro-batches).
 */
public final class OnlineDpoTrainer implements RlLoop.Algorithm {
    private final Transformer policy;
    private final Transformer reference;
    private final boolean referenceIsBase;
    private final RolloutSampler sampler;
    private final RewardFunction reward;
    private final OnlineDpoConfig cfg;
    private final double maxGradNorm;
    private final DpoObjective objective;
    private final List<Tensor> trainable = new ArrayList<>();

    /**
     * reference: the frozen reference model; referenceIsBase: it is the policy itself run with its LoRA adapters off
     * (the PEFT reference).
     */
    public OnlineDpoTrainer(Transformer policy, List<Tensor> parameters, Transformer reference, boolean referenceIsBase,
                            RolloutSampler sampler, RewardFunction reward, OnlineDpoConfig cfg, double maxGradNorm) {
        this.policy = policy;
        this.reference = reference;
        this.referenceIsBase = referenceIsBase;
        this.sampler = sampler;
        this.reward = reward;
        this.cfg = cfg;
        this.maxGradNorm = maxGradNorm;
        this.objective = new DpoObjective(policy, DpoLoss.of(cfg.lossType(), cfg.beta()));
        for (Tensor t : parameters) if (t.isTrainable()) trainable.add(t);
    }

    public DpoObjective objective() {
        return objective;
    }

    @Override
    public Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam) {
        return step(prompts, null, sampleSeed, lr, adam);
    }

    @Override
    public Stats step(int[][] prompts, DatasetRecord[] records, long sampleSeed, double lr, AdamW adam) {
        Rollouts r = sampler.sample(prompts, 2, sampleSeed).withPromptRecords(records, 2);
        return update(r, adam, lr);
    }

    /** The pairs of rollouts r (completions 2i and 2i+1 answer one prompt), chosen first; public for tests. */
    public record Pairs(int[][] prompts, int[][] chosen, int[][] rejected, float[] scores, double containEos) {}

    /** Scores the rollouts and orders each prompt's two completions into (chosen, rejected). */
    public Pairs pairs(Rollouts r, Stats perFunction) {
        float[] scores = reward.score(r, perFunction).clone();
        int n = r.size() / 2;
        double eos = 0;
        for (int i = 0; i < r.size(); i++) {
            if (!r.truncated()[i]) eos++;
            else if (cfg.missingEosPenalty() != null) scores[i] -= cfg.missingEosPenalty().floatValue();
        }
        int[][] p = new int[n][], c = new int[n][], rj = new int[n][];
        for (int i = 0; i < n; i++) {
            boolean firstWins = scores[2 * i] >= scores[2 * i + 1];
            p[i] = r.prompts()[2 * i];
            c[i] = r.completions()[firstWins ? 2 * i : 2 * i + 1];
            rj[i] = r.completions()[firstWins ? 2 * i + 1 : 2 * i];
        }
        return new Pairs(p, c, rj, scores, eos / r.size());
    }

    /** The reference's summed completion log-probs of the pairs: {chosen, rejected}. */
    public double[][] referenceLogps(PairBatch pb) {
        if (referenceIsBase) reference.setAdaptersEnabled(false);
        try {
            PairBatch.Sums s = pb.sums(reference.logps(pb.batch(), false));
            return new double[][] {s.chosen(), s.rejected()};
        } finally {
            if (referenceIsBase) reference.setAdaptersEnabled(true);
        }
    }

    /** A DPO step's pairs, the reference's log-probs {chosen, rejected} and the loss result. */
    public record Backward(Pairs pairs, double[][] ref, DpoObjective.Step step) {}

    /**
     * Scores and pairs the rollouts and accumulates the DPO loss's gradient into the trainable tensors, without
     * the optimizer step (public for tests that fix the rollouts).
     */
    public Backward backward(Rollouts r, Stats perFunction) {
        Pairs pairs = pairs(r, perFunction);
        PairBatch pb = PairBatch.of(pairs.prompts(), pairs.chosen(), pairs.rejected());
        double[][] ref = referenceLogps(pb); // before the policy's training forward (the PEFT base shares its weights)
        return new Backward(pairs, ref, objective.train(pb, ref[0], ref[1], 1.0));
    }

    /** The update on given rollouts (public for tests that fix the rollouts). */
    public Stats update(Rollouts r, AdamW adam, double lr) {
        Stats st = new Stats();
        Stats perFunction = new Stats();
        Backward b = backward(r, perFunction);
        Pairs pairs = b.pairs();
        double[][] ref = b.ref();
        DpoMetrics m = b.step().metrics();
        double gradNorm = RlLoop.optimizerStep(trainable, adam, lr, maxGradNorm, m.loss());
        double refChosen = mean(ref[0]), refRejected = mean(ref[1]);
        double kl = (m.logpsChosen() - refChosen + m.logpsRejected() - refRejected) / 2;
        double scores = 0;
        for (float s : pairs.scores()) scores += s;
        scores /= pairs.scores().length;
        st.add("objective/kl", kl, 1);
        st.add("objective/entropy", -(m.logpsChosen() + m.logpsRejected()) / 2, 1);
        st.add("objective/non_score_reward", -cfg.beta() * kl, 1);
        st.add("objective/rlhf_reward", scores - cfg.beta() * kl, 1);
        st.add("objective/scores", scores, 1);
        double margin = 0;
        for (int i = 0; i < pairs.scores().length / 2; i++) margin += Math.abs((double) pairs.scores()[2 * i] - pairs.scores()[2 * i + 1]);
        st.add("objective/scores_margin", margin / (pairs.scores().length / 2), 1); // chosen − rejected ≥ 0 by construction
        st.add("rewards/chosen", m.rewardsChosen(), 1);
        st.add("rewards/rejected", m.rewardsRejected(), 1);
        st.add("rewards/accuracies", m.rewardsAccuracies(), 1);
        st.add("rewards/margins", m.rewardsMargins(), 1);
        st.add("logps/chosen", m.logpsChosen(), 1);
        st.add("logps/rejected", m.logpsRejected(), 1);
        st.add("val/contain_eos_token", pairs.containEos(), 1);
        st.add("beta", cfg.beta(), 1);
        st.add("loss", m.loss(), 1);
        st.add("grad_norm", gradNorm, 1);
        st.add("completions/tokens", r.completionTokens(), 1);
        st.merge(perFunction);
        return st;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
