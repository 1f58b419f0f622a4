package align4j.api;

import align4j.InputException;
import align4j.train.GrpoConfig;
import align4j.train.GrpoTrainer;
import align4j.train.RewardFunction;
import align4j.train.RolloutLogps;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.List;

/**
 * Group Relative Policy Optimization, as TRL's {@code GRPOTrainer(model, reward_funcs, args, train_dataset).train()}:
 * per prompt num_generations completions, group-normalised advantages, no value model ({@link GrpoTrainer}). As in
 * TRL, per_device_train_batch_size counts completions: each step samples per_device_train_batch_size ×
 * gradient_accumulation_steps completions, num_generations per prompt.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * Grpo.train(policy, null, RewardFunction.programmatic("length", vocab, policy.tokenizer()), Prompts.of(promptIds),
 *         GrpoConfig.grpoDefaults().withBeta(0.04), RolloutSampling.defaults(), TrainingArgs.defaults(out).withMaxSteps(50));
 * policy.save(out);
 * }</pre>
 * Rewards that read the prompts' columns (e.g. {@code accuracy}, against a {@code solution} column), several at once:
 * <pre>{@code
 * PromptDataset.Loaded data = PromptDataset.loadWithRecords(Path.of("math.jsonl"), policy.tokenizer(), vocab);
 * RewardFunction reward = new RewardSum(List.of(
 *         new RewardSum.Term("accuracy", 1, RewardFunction.programmatic("accuracy", vocab, policy.tokenizer())),
 *         new RewardSum.Term("format", 0.2, RewardFunction.programmatic("format", vocab, policy.tokenizer()))));
 * Grpo.train(policy, null, reward, Prompts.of(data.ids(), data.records()), GrpoConfig.grpoDefaults(),
 *         RolloutSampling.defaults(), TrainingArgs.defaults(out).withMaxSteps(50));
 * }</pre>
 */
public final class Grpo {
    private Grpo() {}

    /**
     * Trains policy in place on completions of the prompts scored by reward; config must be a GRPO one
     * ({@link GrpoConfig#grpoDefaults()}). The reference is needed only when beta ≠ 0 (TRL loads none otherwise);
     * ref null means the policy's starting weights (with PEFT: its base, adapters off). Checkpoints and
     * metrics.jsonl go to args.outputDir(); the policy is the caller's to save ({@link Policy#save}).
     */
    public static TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, GrpoConfig config,
                                    RolloutSampling sampling, TrainingArgs args) throws IOException {
        return run("grpo", GrpoConfig.Estimator.GRPO, policy, ref, reward, prompts, config, sampling, args);
    }

    /** Shared with {@link Rloo}: prompts per step = completions per step / num_generations. */
    static TrainResult run(String name, GrpoConfig.Estimator estimator, Policy policy, Policy ref, RewardFunction reward,
                           Prompts prompts, GrpoConfig config, RolloutSampling sampling, TrainingArgs args) throws IOException {
        if (config.estimator() != estimator) {
            throw new InputException(name + " takes a " + estimator + " config (GrpoConfig." + name + "Defaults()), got " + config.estimator());
        }
        int g = config.numGenerations(), completions = args.batchSize() * args.gradientAccumulationSteps();
        if (completions % g != 0) {
            throw new InputException("per_device_train_batch_size × gradient_accumulation_steps (" + completions
                    + ") must be a multiple of num_generations (" + g + ")");
        }
        reward.check(prompts.records());
        RolloutLogps reference = OnlineRl.prepare(policy, ref, config.beta() != 0, config.temperature());
        RolloutLogps logps = new RolloutLogps(policy.model(), null, config.temperature());
        GrpoTrainer trainer = new GrpoTrainer(logps, reference,
                OnlineRl.sampler(policy, sampling, config.temperature(), config.maxCompletionLength()), reward, config,
                args.maxGradNorm(), args.gradientAccumulationSteps(), policy.tokenizer());
        return OnlineRl.run(name, policy, prompts, args.withBatchSize(completions / g), List.of(), trainer, null);
    }
}
