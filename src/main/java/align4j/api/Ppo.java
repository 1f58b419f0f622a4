package align4j.api;

import align4j.InputException;
import align4j.io.DType;
import align4j.io.SafetensorsWriter;
import align4j.model.ScalarHead;
import align4j.tensor.Tensor;
import align4j.train.PpoConfig;
import align4j.train.PpoTrainer;
import align4j.train.RewardFunction;
import align4j.train.RolloutLogps;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RLHF with PPO, as TRL's {@code PPOTrainer(args, model, ref_model, reward_model, train_dataset).train()}: rollouts
 * from the policy, a frozen reference, per-token KL-shaped rewards, GAE, clipped policy and value losses
 * ({@link PpoTrainer}), with a value head on the policy's own hidden states. As in TRL, one step is a batch of
 * per_device_train_batch_size × gradient_accumulation_steps × num_mini_batches prompts; each minibatch (one
 * optimizer step) accumulates gradient_accumulation_steps micro-batches.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * TrainResult r = Ppo.train(policy, null, RewardFunction.of(rewardModel), Prompts.of(promptIds),
 *         PpoConfig.defaults().withKlCoef(0.1), RolloutSampling.defaults().withStopTokenIds(policy.stopTokenIds(List.of())),
 *         TrainingArgs.defaults(Path.of("out")).withLearningRate(3e-6).withMaxSteps(100));
 * policy.save(Path.of("out"));
 * }</pre>
 */
public final class Ppo {
    private Ppo() {}

    /** {@link #train(Policy, Policy, RewardFunction, Prompts, PpoConfig, RolloutSampling, TrainingArgs, TrainLoop.Listener)} without a step listener. */
    public static TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, PpoConfig config,
                                    RolloutSampling sampling, TrainingArgs args) throws IOException {
        return train(policy, ref, reward, prompts, config, sampling, args, null);
    }

    /**
     * Trains policy in place on completions of the prompts scored by reward. ref null means the policy's starting
     * weights (with PEFT: its base, adapters off). Checkpoints, metrics.jsonl and the trained value head
     * (value_head.safetensors) go to args.outputDir(); the policy itself is the caller's to save ({@link Policy#save}).
     * onStep (may be null) is told after every rollout batch, e.g. to evaluate the policy along training.
     */
    public static TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, PpoConfig config,
                                    RolloutSampling sampling, TrainingArgs args, TrainLoop.Listener onStep) throws IOException {
        int perStep = args.batchSize() * args.gradientAccumulationSteps() * config.numMiniBatches();
        if (perStep < 2) {
            throw new InputException("PPO needs at least 2 rollouts per batch (advantages are whitened over the batch); "
                    + "raise per_device_train_batch_size");
        }
        reward.check(prompts.records());
        RolloutLogps reference = OnlineRl.prepare(policy, ref, true, config.temperature());
        // The value head reads the policy's own hidden states (see RolloutLogps); it starts at V = 0.
        ScalarHead valueHead = RolloutLogps.newValueHead(policy.config().hidden());
        RolloutLogps logps = new RolloutLogps(policy.model(), valueHead, config.temperature());
        PpoTrainer ppo = new PpoTrainer(logps, reference, OnlineRl.sampler(policy, sampling, config.temperature(), config.responseLength()),
                reward, config, args.maxGradNorm(), args.gradientAccumulationSteps());
        List<Tensor> head = logps.valueHeadParameters();
        TrainResult result = OnlineRl.run("ppo", policy, prompts, args.withBatchSize(perStep), head, ppo, onStep);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor t : head) m.put(t.name, t);
        SafetensorsWriter.write(args.outputDir().resolve("value_head.safetensors"), m, DType.F32);
        return result;
    }
}
