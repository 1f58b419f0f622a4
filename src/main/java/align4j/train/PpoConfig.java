package align4j.train;

import align4j.InputException;
import align4j.loss.KlEstimators;
import java.util.Locale;

/**
 * PPO settings, named as TRL's PPOConfig (trl/experimental/ppo/ppo_config.py) and, for the adaptive KL
 * controller, its legacy v0.11 PPOConfig ({@code adap_kl_ctrl}, {@code init_kl_coef}, {@code target},
 * {@code horizon}). {@link #defaults()} holds each default once (TRL's); change one with a {@code withX} copy:
 * {@code PpoConfig.defaults().withNumMiniBatches(2).withKlCoef(0.1)}.
 *
 * @param numPpoEpochs      passes over each rollout batch ({@code num_ppo_epochs}; default 4)
 * @param numMiniBatches    minibatches per pass, one optimizer step each ({@code num_mini_batches}; default 1)
 * @param cliprange         ε of the clipped policy ratio ({@code cliprange}; default 0.2)
 * @param cliprangeValue    ε_v of the clipped value prediction ({@code cliprange_value}; default 0.2)
 * @param vfCoef            weight of the value loss in pg + vf_coef·vf ({@code vf_coef}; default 0.1)
 * @param gamma             discount γ of GAE ({@code gamma}; default 1)
 * @param lam               λ of GAE ({@code lam}; default 0.95)
 * @param klEstimator       k1 or k3, for the per-token KL penalty of the reward ({@code kl_estimator}; default k1)
 * @param klCoef            the fixed KL coefficient β ({@code kl_coef}; default 0.05); the starting one when adaptive
 * @param adaptiveKl        adapt β toward {@code target}, Ziegler et al. 2019 ({@code adap_kl_ctrl}; default false)
 * @param target            the KL the adaptive controller aims at, sequence-level nats ({@code target}; default 6)
 * @param horizon           the adaptive controller's horizon, in rollouts ({@code horizon}; default 10000)
 * @param whitenRewards     whiten the per-token rewards before GAE ({@code whiten_rewards}; default false)
 * @param missingEosPenalty subtracted from the score of completions that hit the length limit without
 *                          a stop token; NaN for none ({@code missing_eos_penalty}; default none)
 * @param temperature       sampling temperature, also dividing the logits when scoring and training
 *                          ({@code temperature}; default 0.7)
 * @param responseLength    tokens sampled at most per completion ({@code response_length}; default 53)
 * @param policyLoss        CLIP (PPO-clip, TRL) or KLPEN (Schulman et al. 2017 §4, an align4j extra; default CLIP)
 * @param klpenBeta         KLPEN's starting β (default 0.5)
 * @param klpenTarget       KLPEN's d_targ per token, for the β ×2 / ÷2 rule (default 0.01)
 * @param klpenToReference  KLPEN's KL is to the reference instead of π_old, estimated with k3 as in GRPO
 *                          (default false: π_old, as Schulman et al.)
 */
public record PpoConfig(int numPpoEpochs, int numMiniBatches, double cliprange, double cliprangeValue, double vfCoef,
                        double gamma, double lam, KlEstimators.Estimator klEstimator, double klCoef, boolean adaptiveKl,
                        double target, double horizon, boolean whitenRewards, double missingEosPenalty,
                        double temperature, int responseLength, PolicyLoss policyLoss, double klpenBeta,
                        double klpenTarget, boolean klpenToReference) {

    /** TRL v0.11's {@code init_kl_coef}: the adaptive controller's starting β (the fixed β is {@code kl_coef}). */
    public static final double INIT_KL_COEF = 0.2;

    /** The policy objective: clipped ratio, or ratio with a KL penalty inside the loss. */
    public enum PolicyLoss {
        CLIP, KLPEN;

        /** "clip" or "klpen" (case-insensitive). */
        public static PolicyLoss parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "clip" -> CLIP;
                case "klpen" -> KLPEN;
                default -> throw new InputException("policy_loss must be clip or klpen, got '" + name + "'");
            };
        }
    }

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

    /** TRL's PPOConfig defaults, and KLPEN's (β 0.5, d_targ 0.01, KL to π_old). */
    public static PpoConfig defaults() {
        return new PpoConfig(4, 1, 0.2, 0.2, 0.1, 1.0, 0.95, KlEstimators.Estimator.K1, 0.05, false, 6, 10000, false,
                Double.NaN, 0.7, 53, PolicyLoss.CLIP, 0.5, 0.01, false);
    }

    public PpoConfig withNumPpoEpochs(int numPpoEpochs) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withNumMiniBatches(int numMiniBatches) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withCliprange(double cliprange) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withCliprangeValue(double cliprangeValue) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withVfCoef(double vfCoef) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withGamma(double gamma) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withLam(double lam) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withKlEstimator(KlEstimators.Estimator klEstimator) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withKlCoef(double klCoef) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withAdaptiveKl(boolean adaptiveKl) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withTarget(double target) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withHorizon(double horizon) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withWhitenRewards(boolean whitenRewards) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withMissingEosPenalty(double missingEosPenalty) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withTemperature(double temperature) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withResponseLength(int responseLength) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withPolicyLoss(PolicyLoss policyLoss) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withKlpenBeta(double klpenBeta) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withKlpenTarget(double klpenTarget) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }

    public PpoConfig withKlpenToReference(boolean klpenToReference) {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam, klEstimator,
                klCoef, adaptiveKl, target, horizon, whitenRewards, missingEosPenalty, temperature, responseLength,
                policyLoss, klpenBeta, klpenTarget, klpenToReference);
    }
}
