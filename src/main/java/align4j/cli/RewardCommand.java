package align4j.cli;

import align4j.api.RewardTraining;
import align4j.api.TrainResult;
import align4j.data.PreferenceData;
import align4j.loss.BradleyTerryLoss;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j reward}: flags → {@link RewardTraining#train} (TRL RewardTrainer) → a sequence-classification folder. */
@Command(name = "reward", description = "Train a reward model (Bradley–Terry, TRL RewardTrainer) on preference pairs.")
final class RewardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder: a language model (a fresh score head is added) or a reward model to train further; or a reward model's PEFT adapter folder to train further.")
    Path model;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training preference data (JSONL[.gz], JSON, Parquet); an optional numeric 'margin' field per pair.")
    Path dataset;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--center-rewards-coefficient", defaultValue = "0", description = "Weight of mean((r_c + r_r)²), reward centering (TRL default None = 0; 0.01 recommended).")
    double centerRewardsCoefficient;
    @Option(names = "--margin-column", defaultValue = "margin", paramLabel = "NAME", description = "Record field holding the per-pair margin, used when present (default ${DEFAULT-VALUE}).")
    String marginColumn;
    @Option(names = "--disable-dropout", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Accepted for TRL compatibility: align4j models have no dropout.")
    boolean disableDropout;
    @Mixin
    EvalOptions evalOptions;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        TrainingArgs args = training.toArgs(RewardTraining.LEARNING_RATE);
        BradleyTerryLoss loss = new BradleyTerryLoss(centerRewardsCoefficient);
        RewardTraining.Model rm = RewardTraining.Model.load(model, modelOptions.settings(), data.tokenizer, args.seed());
        PreferenceData[] sets = evalOptions.data("reward", data, dataset, rm.tokenizerDir(), rm.model().config().vocabSize(), args.seed());
        PreferenceData train = sets[0], eval = sets[1];
        if (evalOnly) {
            PreferenceData p = eval != null ? eval : train;
            Map<String, Double> m = RewardTraining.evaluate(rm, loss, args, p.pairs(), p.column(marginColumn));
            EvalOptions.report(args.outputDir(), m);
            return 0;
        }
        TrainResult result = RewardTraining.train(rm, loss, args, train.pairs(), train.column(marginColumn),
                eval == null ? null : eval.pairs(), eval == null ? null : eval.column(marginColumn));
        TrainingOptions.save("reward", rm, args, result, eval != null);
        return 0;
    }
}
