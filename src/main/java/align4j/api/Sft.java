package align4j.api;

import align4j.InputException;
import align4j.data.SequenceExample;
import align4j.train.SftTask;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning, as TRL's {@code SFTTrainer(model, args, train_dataset).train()}: the token-mean NLL of
 * each example's loss tokens (completion-only or assistant-only as the data was tokenized), the usual way to make
 * the reference policy before DPO.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("base"));
 * Sft.train(policy, TrainingArgs.defaults(out).withLearningRate(Sft.LEARNING_RATE), examples, null);
 * policy.save(out);
 * }</pre>
 */
public final class Sft {
    /** TRL SFTConfig's learning_rate default (TrainingArgs.defaults() holds DPOConfig's). */
    public static final double LEARNING_RATE = 2e-5;

    private Sft() {}

    /** Trains policy on the examples; eval (may be null) gives the eval_ metrics at each evaluation. */
    public static TrainResult train(Policy policy, TrainingArgs args, List<SequenceExample> train, List<SequenceExample> eval)
            throws IOException {
        return train(policy, args, train, eval, null);
    }

    /** As above; onStep (may be null) is told of every optimizer step. */
    public static TrainResult train(Policy policy, TrainingArgs args, List<SequenceExample> train, List<SequenceExample> eval,
                                    TrainLoop.Listener onStep) throws IOException {
        if (policy.model().head() == null) {
            throw new InputException(policy.baseDir() + ": this model has no LM head (a reward model?); sft needs a language model");
        }
        SftTask task = new SftTask(policy.model(), train, eval, args.evalBatchSize());
        return Training.run("sft", args, task, policy.trainableParameters(), onStep);
    }

    /** The eval_ metrics of the examples under the policy (TRL's {@code trainer.evaluate()}), nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, TrainingArgs args, List<SequenceExample> examples) {
        SftTask task = new SftTask(policy.model(), examples, null, args.evalBatchSize());
        return task.evaluate(examples, args.evalBatchSize()).means("eval_");
    }
}
