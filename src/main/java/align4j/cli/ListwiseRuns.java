package align4j.cli;

import align4j.InputException;
import align4j.api.ListwiseDpo;
import align4j.api.ListwiseReward;
import align4j.api.Policy;
import align4j.api.RewardTraining;
import align4j.data.ListwiseData;
import align4j.data.RankedLists;
import align4j.loss.PlackettLuceDpoLoss;
import align4j.loss.PlackettLuceRewardLoss;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code dpo} and {@code reward} with {@code --loss-type plackett_luce}: the same flags, the dataset read as rankings
 * ({@link ListwiseData}), {@link ListwiseDpo} or {@link ListwiseReward} instead of the pair trainers.
 */
final class ListwiseRuns {
    private ListwiseRuns() {}

    /** Whether reward's --loss-type asks for the listwise loss (bradley_terry, the default, is pairwise). */
    static boolean plackettLuce(String lossType) {
        return switch (lossType.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "plackett_luce" -> true;
            case "bradley_terry" -> false;
            default -> throw new InputException("--loss-type must be bradley_terry or plackett_luce, got '" + lossType + "'");
        };
    }

    static int dpo(SupervisedOptions job, DataOptions data, ReferenceOption reference, PlackettLuceDpoLoss loss) throws IOException {
        TrainingArgs args = job.start();
        Policy policy = job.policy(data.tokenizer, args);
        ListwiseData[] sets = sets("dpo", job, data, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        RankedLists train = sets[0].lists(), eval = sets[1] == null ? null : sets[1].lists();
        Policy ref = reference.load(job, !loss.referenceFree());
        return job.finish("dpo", policy, args, train, eval, l -> ListwiseDpo.evaluate(policy, ref, loss, args, l),
                (t, e) -> ListwiseDpo.train(policy, ref, loss, args, t, e, null));
    }

    static int reward(SupervisedOptions job, DataOptions data, PlackettLuceRewardLoss loss) throws IOException {
        TrainingArgs args = job.start(RewardTraining.LEARNING_RATE);
        RewardTraining.Model rm = RewardTraining.Model.load(job.model, job.modelOptions.settings(), data.tokenizer, args.seed());
        ListwiseData[] sets = sets("reward", job, data, rm.tokenizerDir(), rm.model().config().vocabSize(), args.seed());
        RankedLists train = sets[0].lists(), eval = sets[1] == null ? null : sets[1].lists();
        return job.finish("reward", rm, args, train, eval, l -> ListwiseReward.evaluate(rm, loss, args, l),
                (t, e) -> ListwiseReward.train(rm, loss, args, t, e));
    }

    /** {train, eval} rankings as {@link EvalOptions} makes them for pairs: --eval-dataset, or the --eval-split held out. */
    private static ListwiseData[] sets(String command, SupervisedOptions job, DataOptions data, Path tokenizerDir, int vocab, long seed) {
        ListwiseData train = data.loadLists(job.dataset, tokenizerDir, vocab), eval = null;
        System.err.println(command + ": dataset (listwise): " + train.report());
        if (job.eval.evalDataset != null) {
            eval = data.loadLists(job.eval.evalDataset, tokenizerDir, vocab);
            System.err.println(command + ": eval dataset (listwise): " + eval.report());
        } else if (job.eval.holdsOut()) {
            int[][] idx = job.eval.split(train.lists().size(), seed);
            eval = train.select(idx[1]);
            train = train.select(idx[0]);
        }
        return new ListwiseData[] {train, eval};
    }
}
