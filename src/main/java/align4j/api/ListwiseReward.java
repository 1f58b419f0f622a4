package align4j.api;

import align4j.data.RankedLists;
import align4j.loss.PlackettLuceRewardLoss;
import align4j.train.ListwiseRewardTask;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.Map;

/**
 * A reward model trained on rankings of K ≥ 2 completions per prompt with the Plackett–Luce loss
 * ({@link PlackettLuceRewardLoss}; {@code align4j reward --loss-type plackett_luce}): {@link RewardTraining} for
 * lists, the same model, folder and metrics.
 */
public final class ListwiseReward {
    private ListwiseReward() {}

    /** Trains on the rankings; eval (may be null) gives the eval_ metrics at each evaluation. */
    public static TrainResult train(RewardTraining.Model model, PlackettLuceRewardLoss loss, TrainingArgs args, RankedLists train,
                                    RankedLists eval) throws IOException {
        ListwiseRewardTask task = new ListwiseRewardTask(model.model(), loss, train, eval, args.evalBatchSize());
        return Training.run("reward", args, task, model.trainableParameters(), null);
    }

    /** The eval_ metrics of the rankings, nothing trained. */
    public static Map<String, Double> evaluate(RewardTraining.Model model, PlackettLuceRewardLoss loss, TrainingArgs args,
                                               RankedLists lists) {
        ListwiseRewardTask task = new ListwiseRewardTask(model.model(), loss, lists, null, args.evalBatchSize());
        return task.evaluate(lists, args.evalBatchSize()).means("eval_");
    }
}
