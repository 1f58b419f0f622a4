package align4j.api;

import align4j.train.GrpoConfig;
import align4j.train.RewardFunction;
import align4j.train.TrainingArgs;
import java.io.IOException;

/**
 * REINFORCE Leave-One-Out (Ahmadian et al. 2024), as TRL's RLOOTrainer: k completions per prompt, the KL to the
 * reference as reward shaping r − β·KL, baseline = the mean reward of the other k − 1; no value model. As in TRL,
 * per_device_train_batch_size counts completions.
 *
 * <pre>{@code
 * Rloo.train(policy, null, reward, Prompts.of(promptIds), GrpoConfig.rlooDefaults().withNumGenerations(4),
 *         RolloutSampling.defaults(), TrainingArgs.defaults(out).withMaxSteps(50));
 * }</pre>
 */
public final class Rloo {
    private Rloo() {}

    /**
     * Trains policy in place on completions of the prompts scored by reward; config must be an RLOO one
     * ({@link GrpoConfig#rlooDefaults()}). The reference is needed when beta ≠ 0; ref null means the policy's
     * starting weights (with PEFT: its base, adapters off). Checkpoints and metrics.jsonl go to args.outputDir();
     * the policy is the caller's to save ({@link Policy#save}).
     */
    public static TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, GrpoConfig config,
                                    RolloutSampling sampling, TrainingArgs args) throws IOException {
        return Grpo.run("rloo", GrpoConfig.Estimator.RLOO, policy, ref, reward, prompts, config, sampling, args);
    }
}
