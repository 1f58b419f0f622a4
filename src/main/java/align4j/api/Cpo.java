package align4j.api;

import align4j.data.Pairs;
import align4j.train.CpoConfig;
import align4j.train.PolicyPairTask;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.Map;

/**
 * Contrastive Preference Optimization and SimPO, as TRL's {@code CPOTrainer(model, args, train_dataset).train()}: a
 * DPO-style loss on the policy's own log-probs (no reference model) plus {@code cpo_alpha} times the NLL of the
 * chosen completions ({@link align4j.loss.CpoLoss}); {@code loss_type} simpo with its target margin
 * {@code simpo_gamma} is SimPO.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * CpoConfig simpo = CpoConfig.defaults().withLossType(CpoLoss.Type.SIMPO).withBeta(2.0).withCpoAlpha(0);
 * TrainResult r = Cpo.train(policy, simpo, TrainingArgs.defaults(Path.of("out")).withMaxSteps(100), pairs, null);
 * policy.save(Path.of("out"));
 * }</pre>
 */
public final class Cpo {
    private Cpo() {}

    /**
     * Trains policy on the train pairs (eval pairs, when not null, give the eval_ metrics at each evaluation).
     * Checkpoints and metrics.jsonl go to args.outputDir().
     */
    public static TrainResult train(Policy policy, CpoConfig config, TrainingArgs args, Pairs train, Pairs eval) throws IOException {
        return train(policy, config, args, train, eval, null);
    }

    /** As above; onStep (may be null) is told of every optimizer step. */
    public static TrainResult train(Policy policy, CpoConfig config, TrainingArgs args, Pairs train, Pairs eval,
                                    TrainLoop.Listener onStep) throws IOException {
        PolicyPairTask task = new PolicyPairTask(policy.model(), config.loss(), train, eval, args.evalBatchSize());
        return Training.run("cpo", args, task, policy.trainableParameters(), onStep);
    }

    /** The eval_ metrics of the pairs under the policy (TRL's {@code trainer.evaluate()}), nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, CpoConfig config, TrainingArgs args, Pairs pairs) {
        return new PolicyPairTask(policy.model(), config.loss(), pairs, null, args.evalBatchSize())
                .evaluate(pairs, args.evalBatchSize()).means("eval_");
    }
}
