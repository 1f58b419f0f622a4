package align4j.control;

import align4j.InputException;

/**
 * Settings of one trajectory-DPO run ({@link TrajectoryDpo}).
 *
 * @param env               {@code cartpole}, {@code acrobot} or {@code mountaincar}
 * @param seed              seeds everything: reference fit, sampling, labels, shuffling, evaluation
 * @param beta              DPO's β: the implicit reward is β·log π(τ)/π_ref(τ)
 * @param pairs             preference pairs sampled from π_ref
 * @param epochs            passes of DPO over the pairs
 * @param batchSize         pairs per optimiser step
 * @param learningRate      Adam's step size for the policy
 * @param temperature       Bradley–Terry temperature T: P(τ_a ≻ τ_b) = σ((R_a − R_b)/T)
 * @param evalEpisodes      episodes per policy in the evaluation
 * @param hidden            width of each of the policy's two tanh hidden layers
 * @param referenceNoise    probability that the cloned controller acts at random ({@link ReferencePolicy})
 */
public record ControlDpoConfig(String env, long seed, double beta, int pairs, int epochs, int batchSize,
                               double learningRate, double temperature, int evalEpisodes, int hidden,
                               double referenceNoise) {

    /** Episodes of the noisy controller the reference is cloned from, and the passes over them. */
    static final int REFERENCE_EPISODES = 20, REFERENCE_EPOCHS = 20;

    /** The defaults for {@code env}; only {@code referenceNoise} differs between the tasks. */
    public static ControlDpoConfig defaults(String env) {
        // noise levels that leave π_ref clearly short of the controller: mean returns about 100 of 500
        // (CartPole), −240 (Acrobot), −190 (MountainCar), against 500, −84 and −117 without noise
        double noise = switch (env) {
            case "cartpole" -> 0.6;
            case "acrobot" -> 0.7;
            case "mountaincar" -> 0.5;
            default -> throw unknownEnv(env);
        };
        return new ControlDpoConfig(env, 0, 0.1, 500, 10, 16, 1e-3, 10.0, 100, 32, noise);
    }

    /** Checks ranges ({@link InputException}); messages name the CLI flag. */
    public ControlDpoConfig {
        if (!ControlEnv.NAMES.contains(env)) throw unknownEnv(env);
        if (!(beta > 0)) throw new InputException("--beta must be positive, got " + beta);
        if (pairs < 1) throw new InputException("--pairs must be at least 1, got " + pairs);
        if (epochs < 0) throw new InputException("--epochs must be non-negative, got " + epochs);
        if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        if (!(learningRate > 0)) throw new InputException("--learning-rate must be positive, got " + learningRate);
        if (!(temperature > 0)) throw new InputException("--temperature must be positive, got " + temperature);
        if (evalEpisodes < 1) throw new InputException("--eval-episodes must be at least 1, got " + evalEpisodes);
        if (hidden < 1) throw new InputException("--hidden must be at least 1, got " + hidden);
        if (!(referenceNoise >= 0 && referenceNoise <= 1)) {
            throw new InputException("--reference-noise must be in [0, 1], got " + referenceNoise);
        }
    }

    private static InputException unknownEnv(String env) {
        return new InputException("--env must be one of " + ControlEnv.NAMES + ", got '" + env + "'");
    }

    public ControlDpoConfig withSeed(long s) {
        return new ControlDpoConfig(env, s, beta, pairs, epochs, batchSize, learningRate, temperature,
                evalEpisodes, hidden, referenceNoise);
    }
}
