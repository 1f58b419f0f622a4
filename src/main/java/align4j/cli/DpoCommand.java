package align4j.cli;

import align4j.api.Dpo;
import align4j.api.Policy;
import align4j.api.TrainResult;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.train.DpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j dpo}: flags of {@link DpoConfig} and {@link TrainingArgs} → {@link Dpo#train} → the saved model. */
@Command(name = "dpo", description = "Train a model with DPO (and its TRL loss variants) on preference pairs.")
final class DpoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (the policy), or a PEFT adapter folder.")
    Path model;
    @Option(names = "--ref-model", paramLabel = "DIR", description = "Reference model folder (default: the policy's starting weights).")
    Path refModel;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training preference data (JSONL[.gz], JSON, Parquet).")
    Path dataset;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--precompute-ref-log-probs", arity = "0..1", fallbackValue = "true",
            description = "Accepted for TRL compatibility: reference log-probs are always computed once and cached.")
    boolean precomputeRefLogProbs = true;
    @Mixin
    DpoOptions loss;
    @Mixin
    EvalOptions evalOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    DataOptions data;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        TrainingArgs args = training.toArgs();
        DpoConfig cfg = loss.config();
        Policy policy = modelOptions.policy(model, data.tokenizer, args.seed());
        PreferenceData[] sets = evalOptions.data("dpo", data, dataset, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        Pairs train = sets[0].pairs(), eval = sets[1] == null ? null : sets[1].pairs();
        Policy ref = refModel == null || cfg.referenceFree() ? null : Policy.loadFrozen(refModel, modelOptions.bf16());
        if (evalOnly) {
            Map<String, Double> m = Dpo.evaluate(policy, ref, cfg, args, eval != null ? eval : train);
            EvalOptions.report(args.outputDir(), m);
            return 0;
        }
        TrainResult result = Dpo.train(policy, ref, cfg, args, train, eval);
        TrainingOptions.save("dpo", policy, args, result, eval != null);
        return 0;
    }
}
