package align4j.cli;

import align4j.api.Ppo;
import align4j.train.PpoConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code align4j ppo}: RLHF with PPO as TRL's PPOTrainer runs it ({@link Ppo}: rollouts from the policy, a frozen
 * reference, per-token KL-shaped rewards, GAE, clipped policy and value losses), with TRL's flag names, the legacy
 * adaptive KL controller, and PPO-KLPEN as an align4j extra. As in TRL, one step is a batch of
 * per_device_train_batch_size × gradient_accumulation_steps × num_mini_batches prompts; each minibatch (one
 * optimizer step) accumulates gradient_accumulation_steps micro-batches. Saves the value head as
 * value_head.safetensors beside the policy.
 */
@Command(name = "ppo", description = "RLHF with PPO: sample, score, and optimise the policy with a value head on its backbone.")
final class PpoCommand implements Callable<Integer> {
    @Mixin
    PpoOptions ppo;
    @Mixin
    RlOptions rl;

    @Override
    public Integer call() throws IOException {
        PpoConfig cfg = ppo.config();
        rl.run("ppo", true, (policy, ref, reward, prompts, sampling, args) -> Ppo.train(policy, ref, reward, prompts, cfg, sampling, args));
        return 0;
    }
}
