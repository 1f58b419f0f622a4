package align4j.train;

import align4j.InputException;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;

/**
 * Settings of group-sampling RL without a value model, named as TRL's GRPOConfig / RLOOConfig.
 *
 * @param estimator          GRPO (group-normalised advantages) or RLOO (leave-one-out baseline)
 * @param numGenerations     completions sampled per prompt (TRL {@code num_generations}; RLOO's {@code rloo_k})
 * @param beta               KL coefficient to the reference: inside the loss (k3) for GRPO, as
 *                           reward shaping r_i − β·Σ_t k1_t for RLOO (TRL's RLOO trainer)
 * @param epsilon            ε_low of the clipped ratio
 * @param epsilonHigh        ε_high (TRL: defaults to epsilon)
 * @param scaleRewards       GRPO: group, batch or none
 * @param lossType           GRPO token aggregation: grpo, bnpo, dapo or dr_grpo
 * @param normalizeAdvantages RLOO: whiten the leave-one-out advantages over the batch
 * @param numIterations      optimisation passes over each batch of rollouts (TRL {@code num_iterations}, μ)
 * @param maxCompletionLength tokens sampled at most per completion
 * @param temperature        sampling temperature (also divides the logits when training, as TRL)
 */
public record GrpoConfig(Estimator estimator, int numGenerations, double beta, double epsilon, double epsilonHigh,
                         GrpoAdvantages.ScaleRewards scaleRewards, GrpoLoss.LossType lossType,
                         boolean normalizeAdvantages, int numIterations, int maxCompletionLength, double temperature) {

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
    }

    GrpoLoss.Config lossConfig() {
        return new GrpoLoss.Config(lossType, epsilon, epsilonHigh, estimator == Estimator.GRPO ? beta : 0.0, maxCompletionLength);
    }
}
