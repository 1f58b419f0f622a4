package align4j.train;

import align4j.loss.LossType;

/**
 * TRL's {@code OnlineDPOConfig} options that shape the algorithm, with TRL's defaults: beta 0.1, loss_type
 * sigmoid (or ipo), temperature 0.9, max_new_tokens 64, missing_eos_penalty None (null here: no penalty).
 */
public record OnlineDpoConfig(double beta, LossType lossType, double temperature, int maxNewTokens, Double missingEosPenalty) {
    public OnlineDpoConfig {
        if (!(beta > 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
        if (lossType != LossType.SIGMOID && lossType != LossType.IPO) {
            throw new IllegalArgumentException("online DPO's loss_type is sigmoid or ipo, got " + lossType);
        }
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (maxNewTokens < 1) throw new IllegalArgumentException("max_new_tokens must be ≥ 1, got " + maxNewTokens);
        if (missingEosPenalty != null && !Double.isFinite(missingEosPenalty)) throw new IllegalArgumentException("missing_eos_penalty must be finite");
    }

    public static OnlineDpoConfig defaults() {
        return new OnlineDpoConfig(0.1, LossType.SIGMOID, 0.9, 64, null);
    }

    public OnlineDpoConfig withBeta(double v) {
        return new OnlineDpoConfig(v, lossType, temperature, maxNewTokens, missingEosPenalty);
    }

    public OnlineDpoConfig withLossType(LossType v) {
        return new OnlineDpoConfig(beta, v, temperature, maxNewTokens, missingEosPenalty);
    }

    public OnlineDpoConfig withTemperature(double v) {
        return new OnlineDpoConfig(beta, lossType, v, maxNewTokens, missingEosPenalty);
    }

    public OnlineDpoConfig withMaxNewTokens(int v) {
        return new OnlineDpoConfig(beta, lossType, temperature, v, missingEosPenalty);
    }

    public OnlineDpoConfig withMissingEosPenalty(Double v) {
        return new OnlineDpoConfig(beta, lossType, temperature, maxNewTokens, v);
    }
}
