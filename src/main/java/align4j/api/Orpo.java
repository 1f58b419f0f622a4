package align4j.api;

import align4j.data.Pairs;
import align4j.train.OrpoConfig;
import align4j.train.PolicyPairTask;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.Map;

/**
 * Odds Ratio Preference Optimization, as TRL's {@code ORPOTrainer(model, args, train_dataset).train()}: the NLL of
 * the chosen sequences plus λ times the odds-ratio term ({@link align4j.loss.OrpoLoss}), with no reference model,
 * so supervised fine-tuning and preference alignment are one step from the base model.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("base-model"));
 * TrainResult r = Orpo.train(policy, OrpoConfig.defaults().withBeta(0.1),
 *         TrainingArgs.defaults(Path.of("out")).withMaxSteps(100), pairs, null);
 * policy.save(Path.of("out"));
 * }</pre>
 */
public final class Orpo {
    private Orpo() {}

    /**
     * Trains policy on the train pairs (eval pairs, when not null, give the eval_ metrics at each evaluation).
     * Checkpoints and metrics.jsonl go to args.outputDir().
     */
    public static TrainResult train(Policy policy, OrpoConfig config, TrainingArgs args, Pairs train, Pairs eval) throws IOException {
        return train(policy, config, args, train, eval, null);
    }

    /** As above; onStep (may be null) is told of every optimizer step. */
    public static TrainResult train(Policy policy, OrpoConfig config, TrainingArgs args, Pairs train, Pairs eval,
                                    TrainLoop.Listener onStep) throws IOException {
        PolicyPairTask task = new PolicyPairTask(policy.model(), config.loss(), train, eval, args.evalBatchSize());
        return Training.run("orpo", args, task, policy.trainableParameters(), onStep);
    }

    /** The eval_ metrics of the pairs under the policy (TRL's {@code trainer.evaluate()}), nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, OrpoConfig config, TrainingArgs args, Pairs pairs) {
        return new PolicyPairTask(policy.model(), config.loss(), pairs, null, args.evalBatchSize())
                .evaluate(pairs, args.evalBatchSize()).means("eval_");
    }
}
