package align4j.api;

import align4j.InputException;
import align4j.data.Pairs;
import align4j.model.Transformer;
import align4j.train.DpoConfig;
import align4j.train.DpoObjective;
import align4j.train.DpoTask;
import align4j.train.PairLogps;
import align4j.train.RefLogpsCache;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Direct Preference Optimization, as TRL's {@code DPOTrainer(model, ref_model, args, train_dataset).train()}:
 * the reference's log-probs are computed once (by ref, or by the policy's own starting weights — with PEFT its
 * base, adapters off) and cached in {@code outputDir/ref_cache}, so training holds one model.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * TrainResult r = Dpo.train(policy, null, DpoConfig.defaults().withBeta(0.1),
 *         TrainingArgs.defaults(Path.of("out")).withMaxSteps(100), pairs, null);
 * policy.save(Path.of("out"));
 * }</pre>
 */
public final class Dpo {
    private Dpo() {}

    /**
     * Trains policy on the train pairs (eval pairs, when not null, give the eval_ metrics at each evaluation);
     * ref null means the policy's own starting weights. Checkpoints and metrics.jsonl go to args.outputDir().
     */
    public static TrainResult train(Policy policy, Policy ref, DpoConfig config, TrainingArgs args, Pairs train, Pairs eval)
            throws IOException {
        DpoTask task = task(policy, ref, config, args, train, eval);
        return Training.run("dpo", args, task, policy.trainableParameters(), null);
    }

    /**
     * With the reference's summed completion log-probs already computed (TRL's precompute_ref_log_probs, or
     * {@code align4j logps} run on the reference: chosen_logps, rejected_logps) for the train pairs and, when eval
     * is not null, the eval pairs; onStep (may be null) is told of every optimizer step.
     */
    public static TrainResult train(Policy policy, PairLogps.Result trainRef, PairLogps.Result evalRef, DpoConfig config,
                                    TrainingArgs args, Pairs train, Pairs eval, TrainLoop.Listener onStep) throws IOException {
        if (trainRef.chosen().length != train.size() || eval != null && (evalRef == null || evalRef.chosen().length != eval.size())) {
            throw new InputException("the reference log-probs must hold one value per pair of each set");
        }
        DpoTask task = new DpoTask(new DpoObjective(policy.model(), config.loss(), config.ldAlpha()), train, trainRef, eval, evalRef,
                args.evalBatchSize());
        return Training.run("dpo", args, task, policy.trainableParameters(), onStep);
    }

    /** The eval_ metrics of the pairs under the policy (TRL's {@code trainer.evaluate()}), nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, Policy ref, DpoConfig config, TrainingArgs args, Pairs pairs)
            throws IOException {
        DpoTask task = task(policy, ref, config, args, pairs, null);
        return task.evaluate(pairs, task.trainReference(), args.evalBatchSize()).means("eval_");
    }

    private static DpoTask task(Policy policy, Policy ref, DpoConfig config, TrainingArgs args, Pairs train, Pairs eval)
            throws IOException {
        var loss = config.loss();
        Files.createDirectories(args.outputDir());
        PairLogps.Result trainRef, evalRef = null;
        if (config.referenceFree()) {
            trainRef = zeros(train.size());
            if (eval != null) evalRef = zeros(eval.size());
        } else {
            if (ref != null && ref.config().vocabSize() != policy.config().vocabSize()) {
                throw new InputException(ref.baseDir() + ": vocab_size " + ref.config().vocabSize() + " differs from the policy's "
                        + policy.config().vocabSize());
            }
            Path cache = args.outputDir().resolve("ref_cache");
            System.err.println("dpo: reference log-probs (computed once, cached in " + cache + ")");
            Transformer reference = ref != null ? ref.model() : policy.model();
            // with PEFT the reference is the base model: the policy's own weights with its adapters off
            if (ref == null) policy.model().setAdaptersEnabled(false);
            try {
                trainRef = RefLogpsCache.get(cache, reference, train, args.evalBatchSize(), config.ldAlpha(), null);
                if (eval != null) evalRef = RefLogpsCache.get(cache, reference, eval, args.evalBatchSize(), config.ldAlpha(), null);
            } finally {
                policy.model().setAdaptersEnabled(true);
            }
        }
        return new DpoTask(new DpoObjective(policy.model(), loss, config.ldAlpha()), train, trainRef, eval, evalRef,
                args.evalBatchSize());
    }

    private static PairLogps.Result zeros(int n) {
        return new PairLogps.Result(new double[n], new double[n]);
    }
}
