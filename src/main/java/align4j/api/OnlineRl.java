package align4j.api;

import align4j.InputException;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.PolicySampler;
import align4j.train.RlLoop;
import align4j.train.RolloutLogps;
import align4j.train.RolloutSampler;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the online RL jobs ({@link Ppo}, {@link Grpo}, {@link Rloo}) share around their algorithm: the reference,
 * the sampler, and the run on {@link RlLoop} (total_episodes, progress bar, the trained tensors frozen after it).
 */
final class OnlineRl {
    private OnlineRl() {}

    /**
     * Makes the policy's trainable tensors trainable (before the algorithm collects them) and returns the
     * reference's log-probs at the sampling temperature, or null when none is needed. The reference is ref when
     * given; otherwise, with PEFT, the policy's own base with its adapters off (TRL's PEFT reference: one model in
     * memory), and without, a frozen copy of the policy's starting weights (TRL's {@code create_reference_model}).
     */
    static RolloutLogps prepare(Policy policy, Policy ref, boolean needReference, double temperature) {
        for (Tensor t : policy.trainableParameters()) t.zeroGrad();
        if (!needReference) return null;
        if (ref != null) {
            if (ref.config().vocabSize() != policy.config().vocabSize()) {
                throw new InputException(ref.baseDir() + ": vocab_size " + ref.config().vocabSize() + " differs from the policy's "
                        + policy.config().vocabSize());
            }
            return new RolloutLogps(ref.model(), null, temperature);
        }
        if (policy.lora() != null) return RolloutLogps.base(policy.model(), temperature);
        Map<String, Tensor> copy = new LinkedHashMap<>();
        policy.model().parameterMap().forEach((name, t) -> copy.put(name, new Tensor(t.name, t.shape, t.data.clone())));
        return new RolloutLogps(new Transformer(policy.config(), copy), null, temperature);
    }

    /** Samples from the policy at the config's temperature and length, as sampling asks. */
    static RolloutSampler sampler(Policy policy, RolloutSampling sampling, double temperature, int maxNewTokens) {
        int vocab = policy.config().vocabSize();
        int[] stops = new int[sampling.stopTokenIds().size()];
        for (int i = 0; i < stops.length; i++) {
            stops[i] = sampling.stopTokenIds().get(i);
            if (stops[i] < 0 || stops[i] >= vocab) {
                throw new InputException("stop token id " + stops[i] + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        return new PolicySampler(policy.model(), temperature, sampling.topK(), sampling.topP(), maxNewTokens, stops);
    }

    /**
     * Runs the algorithm on {@link RlLoop} over the prompts, args' batch size of them per step, training the
     * policy's trainable tensors and extra ones (PPO's value head); onStep (may be null) is told of every step
     * after the progress bar. Checkpoints and metrics.jsonl go to args.outputDir().
     */
    static TrainResult run(String name, Policy policy, Prompts prompts, TrainingArgs args, List<Tensor> extra,
                           RlLoop.Algorithm algorithm, TrainLoop.Listener onStep) throws IOException {
        TrainingArgs a = prompts.totalEpisodes() > 0 && args.maxSteps() <= 0
                ? args.withMaxSteps((int) Math.ceil((double) prompts.totalEpisodes() / args.batchSize())) : args;
        List<Tensor> trained = new ArrayList<>(policy.trainableParameters());
        trained.addAll(extra);
        return Training.run(name, a, RlLoop.totalSteps(a, prompts.ids().length), trained,
                progress -> new RlLoop(a, prompts.ids(), prompts.records(), trained, algorithm, Training.then(progress, onStep)).run());
    }
}
