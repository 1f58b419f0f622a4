package align4j.api;

import align4j.InputException;
import align4j.data.RankedLists;
import align4j.loss.PlackettLuceDpoLoss;
import align4j.model.Transformer;
import align4j.train.ListRefLogpsCache;
import align4j.train.ListwiseDpoTask;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Listwise DPO: {@link Dpo} on rankings of K ≥ 2 completions per prompt with the Plackett–Luce loss of the DPO
 * paper's Appendix A.3 ({@link PlackettLuceDpoLoss}; {@code align4j dpo --loss-type plackett_luce}). Every
 * completion's reference log-prob is computed once (by ref, or the policy's starting weights, with PEFT its base)
 * and cached in {@code outputDir/ref_cache}, as for pairs.
 *
 * <pre>{@code
 * TrainResult r = ListwiseDpo.train(policy, null, new PlackettLuceDpoLoss(0.1, false),
 *         TrainingArgs.defaults(Path.of("out")).withMaxSteps(100), lists, null, null);
 * }</pre>
 */
public final class ListwiseDpo {
    private ListwiseDpo() {}

    /** Trains policy on the train rankings (eval, when not null, gives the eval_ metrics); onStep may be null. */
    public static TrainResult train(Policy policy, Policy ref, PlackettLuceDpoLoss loss, TrainingArgs args, RankedLists train,
                                    RankedLists eval, TrainLoop.Listener onStep) throws IOException {
        return Training.run("dpo", args, task(policy, ref, loss, args, train, eval), policy.trainableParameters(), onStep);
    }

    /** The eval_ metrics of the rankings under the policy, nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, Policy ref, PlackettLuceDpoLoss loss, TrainingArgs args,
                                               RankedLists lists) throws IOException {
        ListwiseDpoTask task = task(policy, ref, loss, args, lists, null);
        return task.evaluate(lists, task.trainReference(), args.evalBatchSize()).means("eval_");
    }

    /** The task with its reference log-probs in place (cached), for training, evaluation or a caller's own loop. */
    public static ListwiseDpoTask task(Policy policy, Policy ref, PlackettLuceDpoLoss loss, TrainingArgs args, RankedLists train,
                                       RankedLists eval) throws IOException {
        Files.createDirectories(args.outputDir());
        double[][] trainRef, evalRef = null;
        if (loss.referenceFree()) {
            trainRef = zeros(train);
            if (eval != null) evalRef = zeros(eval);
        } else {
            if (ref != null && ref.config().vocabSize() != policy.config().vocabSize()) {
                throw new InputException(ref.baseDir() + ": vocab_size " + ref.config().vocabSize() + " differs from the policy's "
                        + policy.config().vocabSize());
            }
            Path cache = args.outputDir().resolve("ref_cache");
            System.err.println("dpo: reference log-probs of every ranked completion (computed once, cached in " + cache + ")");
            Transformer reference = ref != null ? ref.model() : policy.model();
            if (ref == null) policy.model().setAdaptersEnabled(false);
            try {
                trainRef = ListRefLogpsCache.get(cache, reference, train, args.evalBatchSize());
                if (eval != null) evalRef = ListRefLogpsCache.get(cache, reference, eval, args.evalBatchSize());
            } finally {
                policy.model().setAdaptersEnabled(true);
            }
        }
        return new ListwiseDpoTask(policy.model(), loss, train, trainRef, eval, evalRef, args.evalBatchSize());
    }

    private static double[][] zeros(RankedLists lists) {
        double[][] z = new double[lists.size()][];
        for (int i = 0; i < z.length; i++) z[i] = new double[lists.completions()[i].length];
        return z;
    }
}
