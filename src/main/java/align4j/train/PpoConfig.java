package align4j.train;

import align4j.InputException;
import align4j.loss.KlEstimators;

/**
 * PPO settings, named as TRL's PPOConfig (trl/experimental/ppo/ppo_config.py) and, for the adaptive KL
 * controller, its legacy v0.11 PPOConfig ({@code adap_kl_ctrl}, {@code init_kl_coef}, {@code target},
 * {@code horizon}).
 *
 * @param numPpoEpochs      passes over each rollout batch ({@code num_ppo_epochs})
 * @param numMiniBatches    minibatches per pass, one optimizer step each ({@code num_mini_batches})
 * @param cliprange         ε of the clipped policy ratio
 * @param cliprangeValue    ε_v of the clipped value prediction
 * @param vfCoef            weight of the value loss in pg + vf_coef·vf
 * @param gamma             discount γ of GAE
 * @param lam               λ of GAE
 * @param klEstimator       k1 or k3, for the per-token KL penalty of the reward
 * @param klCoef            the fixed KL coefficient β ({@code kl_coef}); the starting one when adaptive
 * @param adaptiveKl        adapt β toward {@code target} (Ziegler et al. 2019)
 * @param target            the KL the adaptive controller aims at (sequence-level, nats)
 * @param horizon           the controller's horizon (in rollouts)
 * @param whitenRewards     whiten the per-token rewards before GAE ({@code whiten_rewards})
 * @param missingEosPenalty subtracted from the score of completions that hit the length limit without
 *                          a stop token; NaN for none ({@code missing_eos_penalty})
 * @param temperature       sampling temperature, also dividing the logits when scoring and training
 * @param responseLength    tokens sampled at most per completion ({@code response_length})
 * @param policyLoss        CLIP (PPO-clip, TRL) or KLPEN (Schulman et al. 2017 §4, the lecture notes' Variation 2)
 * @param klpenBeta         KLPEN's starting β
 * @param klpenTarget       KLPEN's d_targ for the β ×2 / ÷2 rule
 * @param klpenToReference  KLPEN's KL is to the reference instead of π_old ("nowadays, KL divergence is
 *                          with respect to ref", 003_7071ed9ea9de9aba.txt), estimated with k3 as in GRPO
 */
public record PpoConfig(int numPpoEpochs, int numMiniBatches, double cliprange, double cliprangeValue, double vfCoef,
                        double gamma, double lam, KlEstimators.Estimator klEstimator, double klCoef, boolean adaptiveKl,
                        double target, double horizon, boolean whitenRewards, double missingEosPenalty,
                        double temperature, int responseLength, PolicyLoss policyLoss, double klpenBeta,
                        double klpenTarget, boolean klpenToReference) {

    /** The policy objective: clipped ratio, or ratio with a KL penalty inside the loss. */
    public enum PolicyLoss { CLIP, KLPEN }

    public PpoConfig {
        if (numPpoEpochs < 1) throw new InputException("num_ppo_epochs must be ≥ 1, got " + numPpoEpochs);
        if (numMiniBatches < 1) throw new InputException("num_mini_batches must be ≥ 1, got " + numMiniBatches);
        if (cliprange < 0 || cliprangeValue < 0) throw new InputException("cliprange and cliprange_value must be ≥ 0");
        if (vfCoef < 0) throw new InputException("vf_coef must be ≥ 0, got " + vfCoef);
        if (gamma < 0 || gamma > 1 || lam < 0 || lam > 1) throw new InputException("gamma and lam must be in [0, 1]");
        if (klCoef < 0) throw new InputException("kl_coef must be ≥ 0, got " + klCoef);
        if (adaptiveKl && (target <= 0 || horizon <= 0)) throw new InputException("target and horizon must be > 0");
        if (!(temperature > 0)) throw new InputException("temperature must be > 0, got " + temperature);
        if (responseLength < 1) throw new InputException("response_length must be ≥ 1, got " + responseLength);
        if (klpenBeta < 0 || (policyLoss == PolicyLoss.KLPEN && klpenTarget <= 0)) {
            throw new InputException("klpen_beta must be ≥ 0 and klpen_target > 0");
        }
        if (klEstimator == KlEstimators.Estimator.K2) throw new InputException("kl_estimator must be k1 or k3 (TRL's choices)");
    }

    /** TRL's PPOConfig defaults (kl_coef 0.05, k1, cliprange 0.2, vf_coef 0.1, γ 1, λ 0.95, 4 epochs, T 0.7, 53 tokens). */
    public static PpoConfig trlDefaults() {
        return new PpoConfig(4, 1, 0.2, 0.2, 0.1, 1.0, 0.95, KlEstimators.Estimator.K1, 0.05, false, 6, 10000, false,
                Double.NaN, 0.7, 53, PolicyLoss.CLIP, 0.5, 0.01, false);
    }
}
