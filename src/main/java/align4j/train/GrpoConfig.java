package align4j.train;

import align4j.InputException;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;

/**
 * Settings of group-sampling RL without a value model, named as TRL's GRPOConfig / RLOOConfig. The two trainers
 * have different defaults, each held once: {@link #grpoDefaults()} (GRPOConfig) and {@link #rlooDefaults()}
 * (RLOOConfig); change one with a {@code withX} copy: {@code GrpoConfig.grpoDefaults().withBeta(0.04)}.
 *
 * @param estimator           GRPO (group-normalised advantages) or RLOO (leave-one-out baseline)
 * @param numGenerations      completions sampled per prompt ({@code num_generations}, RLOO's {@code rloo_k};
 *                            default 8 for GRPO, 2 for RLOO)
 * @param beta                KL coefficient to the reference: inside the loss (k3) for GRPO, as reward shaping
 *                            r_i − β·Σ_t k1_t for RLOO ({@code beta}; default 0 for GRPO, 0.05 for RLOO)
 * @param epsilon             ε_low of the clipped ratio ({@code epsilon}; default 0.2)
 * @param epsilonHigh         ε_high, DAPO's clip-higher ({@code epsilon_high}; default: epsilon, 0.2)
 * @param scaleRewards        GRPO: divide the advantages by the group's or batch's std, or not
 *                            ({@code scale_rewards}; default group for GRPO, none for RLOO)
 * @param lossType            GRPO token aggregation: grpo, bnpo, dapo or dr_grpo ({@code loss_type}; default
 *                            dapo for GRPO, grpo for RLOO)
 * @param normalizeAdvantages RLOO: whiten the leave-one-out advantages over the batch
 *                            ({@code normalize_advantages}; default false)
 * @param numIterations       optimisation passes over each batch of rollouts, μ ({@code num_iterations}; default 1)
 * @param maxCompletionLength tokens sampled at most per completion ({@code max_completion_length}; default 256)
 * @param temperature         sampling temperature, also dividing the logits when training, as TRL
 *                            ({@code temperature}; default 1)
 * @param maskTruncatedCompletions completions that reached max_completion_length without a stop token take no part
 *                            in the loss, though they still count in their group's advantages
 *                            ({@code mask_truncated_completions}; default false)
 * @param importanceSamplingLevel token: one ratio π_θ/π_old per token; sequence: GSPO's one ratio per completion,
 *                            exp of the mean log-ratio ({@code importance_sampling_level}; default token)
 * @param topEntropyQuantile  ρ: only the tokens whose policy entropy is at or above the (1 − ρ) quantile of the
 *                            micro-batch's take the clipped-ratio term ({@code top_entropy_quantile}; default 1, all)
 * @param logCompletions      write each logging step's completions, their rewards and advantages to
 *                            completions.jsonl ({@code log_completions}; default false)
 */
public record GrpoConfig(Estimator estimator, int numGenerations, double beta, double epsilon, double epsilonHigh,
                         GrpoAdvantages.ScaleRewards scaleRewards, GrpoLoss.LossType lossType,
                         boolean normalizeAdvantages, int numIterations, int maxCompletionLength, double temperature,
                         boolean maskTruncatedCompletions, GrpoLoss.ImportanceSamplingLevel importanceSamplingLevel,
                         double topEntropyQuantile, boolean logCompletions) {

    /** How sequence advantages are computed from the group's rewards. */
    public enum Estimator { GRPO, RLOO }

    public GrpoConfig {
        if (numGenerations < 1 || (estimator == Estimator.RLOO && numGenerations < 2)) {
            throw new InputException("num_generations must be ≥ " + (estimator == Estimator.RLOO ? 2 : 1) + ", got " + numGenerations);
        }
        if (beta < 0) throw new InputException("beta must be ≥ 0, got " + beta);
        if (epsilon < 0 || epsilonHigh < 0) throw new InputException("epsilon must be ≥ 0");
        if (numIterations < 1) throw new InputException("num_iterations must be ≥ 1, got " + numIterations);
        if (maxCompletionLength < 1) throw new InputException("max_completion_length must be ≥ 1, got " + maxCompletionLength);
        if (!(temperature > 0)) throw new InputException("temperature must be > 0, got " + temperature);
        if (!(topEntropyQuantile > 0 && topEntropyQuantile <= 1)) {
            throw new InputException("top_entropy_quantile must be in (0, 1], got " + topEntropyQuantile);
        }
        if (importanceSamplingLevel == null) throw new InputException("importance_sampling_level must be token or sequence");
    }

    /** TRL's GRPOConfig defaults: 8 generations, β 0 (no reference), ε 0.2, scale_rewards group, loss_type dapo. */
    public static GrpoConfig grpoDefaults() {
        return new GrpoConfig(Estimator.GRPO, 8, 0.0, 0.2, 0.2, GrpoAdvantages.ScaleRewards.GROUP, GrpoLoss.LossType.DAPO,
                false, 1, 256, 1.0, false, GrpoLoss.ImportanceSamplingLevel.TOKEN, 1.0, false);
    }

    /** TRL's RLOOConfig defaults: k = 2, β 0.05 as reward shaping, no advantage whitening; the rest as GRPO's. */
    public static GrpoConfig rlooDefaults() {
        return grpoDefaults().withEstimator(Estimator.RLOO).withNumGenerations(2).withBeta(0.05)
                .withScaleRewards(GrpoAdvantages.ScaleRewards.NONE).withLossType(GrpoLoss.LossType.GRPO);
    }

    GrpoLoss.Config lossConfig() {
        return new GrpoLoss.Config(lossType, epsilon, epsilonHigh, estimator == Estimator.GRPO ? beta : 0.0, maxCompletionLength,
                importanceSamplingLevel);
    }

    public GrpoConfig withEstimator(Estimator estimator) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withNumGenerations(int numGenerations) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withBeta(double beta) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withEpsilon(double epsilon) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withEpsilonHigh(double epsilonHigh) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withScaleRewards(GrpoAdvantages.ScaleRewards scaleRewards) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withLossType(GrpoLoss.LossType lossType) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withNormalizeAdvantages(boolean normalizeAdvantages) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withNumIterations(int numIterations) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withMaxCompletionLength(int maxCompletionLength) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withTemperature(double temperature) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withMaskTruncatedCompletions(boolean maskTruncatedCompletions) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withImportanceSamplingLevel(GrpoLoss.ImportanceSamplingLevel importanceSamplingLevel) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withTopEntropyQuantile(double topEntropyQuantile) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }

    public GrpoConfig withLogCompletions(boolean logCompletions) {
        return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh, scaleRewards, lossType,
                normalizeAdvantages, numIterations, maxCompletionLength, temperature,
                maskTruncatedCompletions, importanceSamplingLevel, topEntropyQuantile, logCompletions);
    }
}
