package align4j.api;

import align4j.InputException;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.OnlineDpoConfig;
import align4j.train.OnlineDpoTrainer;
import align4j.train.RewardFunction;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Online DPO, as TRL's {@code OnlineDPOTrainer(model, reward_funcs, args, train_dataset).train()}: per prompt two
 * completions sampled from the current policy, labelled by the reward, and a DPO step on the pairs
 * ({@link OnlineDpoTrainer}). per_device_train_batch_size × gradient_accumulation_steps prompts make a step (one optimizer step).
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * OnlineDpo.train(policy, null, RewardFunction.programmatic("length", vocab, policy.tokenizer()), Prompts.of(promptIds),
 *         OnlineDpoConfig.defaults().withBeta(0.1), RolloutSampling.defaults(), TrainingArgs.defaults(out).withMaxSteps(50));
 * policy.save(out);
 * }</pre>
 */
public final class OnlineDpo {
    private OnlineDpo() {}

    /**
     * Trains policy in place; ref null means the policy's starting weights (with PEFT: its base, adapters off).
     * Checkpoints and metrics.jsonl go to args.outputDir(); the policy is the caller's to save.
     */
    public static TrainResult train(Policy policy, Policy ref, RewardFunction reward, Prompts prompts, OnlineDpoConfig config,
                                    RolloutSampling sampling, TrainingArgs args) throws IOException {
        reward.check(prompts.records());
        for (Tensor t : policy.trainableParameters()) t.zeroGrad();
        Transformer reference;
        boolean base = false;
        if (ref != null) {
            if (ref.config().vocabSize() != policy.config().vocabSize()) {
                throw new InputException(ref.baseDir() + ": vocab_size " + ref.config().vocabSize() + " differs from the policy's "
                        + policy.config().vocabSize());
            }
            reference = ref.model();
        } else if (policy.lora() != null) {
            reference = policy.model();
            base = true;
        } else {
            Map<String, Tensor> copy = new LinkedHashMap<>();
            policy.model().parameterMap().forEach((name, t) -> copy.put(name, new Tensor(t.name, t.shape, t.data.clone())));
            reference = new Transformer(policy.config(), copy);
        }
        OnlineDpoTrainer trainer = new OnlineDpoTrainer(policy.model(), policy.trainableParameters(), reference, base,
                OnlineRl.sampler(policy, sampling, config.temperature(), config.maxNewTokens()), reward, config, args.maxGradNorm());
        // TRL averages the loss over gradient_accumulation_steps micro-batches of equal size: one step on all their prompts
        return OnlineRl.run("online-dpo", policy, prompts, args.withBatchSize(args.batchSize() * args.gradientAccumulationSteps()),
                List.of(), trainer, null);
    }
}
