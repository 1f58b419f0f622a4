package align4j.api;

import align4j.InputException;
import align4j.data.Pairs;
import align4j.data.UnpairedData;
import align4j.model.Transformer;
import align4j.train.KtoConfig;
import align4j.train.KtoTask;
import align4j.train.PairLogps;
import align4j.train.RefLogpsCache;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Kahneman–Tversky Optimization, as TRL's {@code KTOTrainer(model, ref_model, args, train_dataset).train()}: each
 * example is one completion labelled desirable or undesirable ({@link UnpairedData}), its reward β·log π/π_ref is
 * pushed above or below the reference point z0, estimated in each batch from the examples' mismatched prompt and
 * completion pairs ({@link align4j.loss.KtoLoss}). As in {@link Dpo}, the reference's log-probs (of the completions
 * and of the mismatched pairs) are computed once (by ref, or by the policy's own starting weights — with PEFT its
 * base, adapters off) and cached in {@code outputDir/ref_cache}, so training holds one model.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("sft-model"));
 * TrainResult r = Kto.train(policy, null, KtoConfig.defaults().withDesirableWeight(1.33),
 *         TrainingArgs.defaults(Path.of("out")).withMaxSteps(100), examples, null);
 * policy.save(Path.of("out"));
 * }</pre>
 */
public final class Kto {
    private Kto() {}

    /**
     * Trains policy on the train examples (eval examples, when not null, give the eval_ metrics at each evaluation);
     * ref null means the policy's own starting weights. Checkpoints and metrics.jsonl go to args.outputDir().
     */
    public static TrainResult train(Policy policy, Policy ref, KtoConfig config, TrainingArgs args, UnpairedData train,
                                    UnpairedData eval) throws IOException {
        return train(policy, ref, config, args, train, eval, null);
    }

    /** As above; onStep (may be null) is told of every optimizer step. */
    public static TrainResult train(Policy policy, Policy ref, KtoConfig config, TrainingArgs args, UnpairedData train,
                                    UnpairedData eval, TrainLoop.Listener onStep) throws IOException {
        if (config.loss().usesKl() && args.batchSize() <= 1) {
            throw new InputException("per_device_train_batch_size must be > 1 for loss_type kto: the KL estimate of a"
                    + " batch of one is the example's own reward (TRL refuses it too)");
        }
        warnIfUnbalanced(config, train);
        KtoTask task = task(policy, ref, config, args, train, eval);
        return Training.run("kto", args, task, policy.trainableParameters(), onStep);
    }

    /**
     * TRL's warning when the weights do not offset unequal numbers of desirable (n_D) and undesirable (n_U) examples:
     * KTO paper eq. 8 wants λ_D·n_D / (λ_U·n_U) in [1, 4/3], so either desirable_weight in [n_U·λ_U/n_D, 1.33·that]
     * or undesirable_weight in [n_D·λ_D/n_U / 1.33, n_D·λ_D/n_U] (each rounded to 2 decimals, as TRL).
     */
    private static void warnIfUnbalanced(KtoConfig c, UnpairedData train) {
        int d = Math.max(train.desirable(), 1), u = Math.max(train.size() - train.desirable(), 1);
        if (d == u) return;
        double dLo = round2((double) u * c.undesirableWeight() / d), dHi = round2((double) u * c.undesirableWeight() / d * 1.33);
        double uLo = round2((double) d * c.desirableWeight() / u / 1.33), uHi = round2((double) d * c.desirableWeight() / u);
        boolean ok = dLo <= c.desirableWeight() && c.desirableWeight() <= dHi || uLo <= c.undesirableWeight() && c.undesirableWeight() <= uHi;
        if (!ok) {
            System.err.printf("kto: warning: %d desirable and %d undesirable examples, but the weights do not offset that;"
                    + " based on the data, set EITHER desirable_weight in [%s, %s] OR undesirable_weight in [%s, %s]%n",
                    d, u, dLo, dHi, uLo, uHi);
        }
    }

    private static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }

    /** The eval_ metrics of the examples under the policy (TRL's {@code trainer.evaluate()}), nothing trained. */
    public static Map<String, Double> evaluate(Policy policy, Policy ref, KtoConfig config, TrainingArgs args,
                                               UnpairedData examples) throws IOException {
        KtoTask.Examples set = examples(policy, ref, args, examples);
        return new KtoTask(policy.model(), config.loss(), set, null, args.evalBatchSize()).evaluate(set, args.evalBatchSize())
                .means("eval_");
    }

    private static KtoTask task(Policy policy, Policy ref, KtoConfig config, TrainingArgs args, UnpairedData train,
                                UnpairedData eval) throws IOException {
        return new KtoTask(policy.model(), config.loss(), examples(policy, ref, args, train),
                eval == null ? null : examples(policy, ref, args, eval), args.evalBatchSize());
    }

    /** The examples with their KL pairs (TRL builds them in chunks of per_device_train_batch_size) and cached reference log-probs. */
    private static KtoTask.Examples examples(Policy policy, Policy ref, TrainingArgs args, UnpairedData data) throws IOException {
        if (ref != null && ref.config().vocabSize() != policy.config().vocabSize()) {
            throw new InputException(ref.baseDir() + ": vocab_size " + ref.config().vocabSize() + " differs from the policy's "
                    + policy.config().vocabSize());
        }
        Pairs pairs = data.klPairs(args.batchSize());
        Files.createDirectories(args.outputDir());
        Path cache = args.outputDir().resolve("ref_cache");
        System.err.println("kto: reference log-probs of the completions and the KL pairs (computed once, cached in " + cache + ")");
        Transformer reference = ref != null ? ref.model() : policy.model();
        // with PEFT the reference is the base model: the policy's own weights with its adapters off
        if (ref == null) policy.model().setAdaptersEnabled(false);
        PairLogps.Result r;
        try {
            r = RefLogpsCache.get(cache, reference, pairs, args.evalBatchSize(), null);
        } finally {
            policy.model().setAdaptersEnabled(true);
        }
        return new KtoTask.Examples(pairs, data.labels(), r);
    }
}
