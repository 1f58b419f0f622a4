package align4j.cli;

import align4j.api.RewardTraining;
import align4j.data.PreferenceData;
import align4j.loss.BradleyTerryLoss;
import align4j.loss.PlackettLuceRewardLoss;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j reward}: flags → {@link RewardTraining#train} (TRL RewardTrainer) → a sequence-classification folder. */
@Command(name = "reward", description = {"Train a reward model (Bradley–Terry, TRL RewardTrainer) on preference pairs.",
        "--model: a language model (a fresh score head is added), a reward model, or a reward model's PEFT adapter to train further;",
        "--dataset: preference pairs, with an optional numeric margin per pair."})
final class RewardCommand implements Callable<Integer> {
    @Mixin
    SupervisedOptions job;
    @Option(names = "--center-rewards-coefficient", defaultValue = "0", description = "Weight of mean((r_c + r_r)²), reward centering (TRL default None = 0; 0.01 recommended).")
    double centerRewardsCoefficient;
    @Option(names = "--margin-column", defaultValue = "margin", paramLabel = "NAME", description = "Record field holding the per-pair margin, used when present (default ${DEFAULT-VALUE}).")
    String marginColumn;
    @Option(names = "--disable-dropout", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Accepted for TRL compatibility: align4j models have no dropout.")
    boolean disableDropout;
    @Option(names = "--loss-type", defaultValue = "bradley_terry", paramLabel = "TYPE",
            description = "bradley_terry (pairs, TRL's) or plackett_luce (rankings of K ≥ 2 completions; pairs are rankings of two) (default ${DEFAULT-VALUE}).")
    String lossType;
    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws IOException {
        TrainingArgs args = job.start(RewardTraining.LEARNING_RATE);
        BradleyTerryLoss loss = new BradleyTerryLoss(centerRewardsCoefficient);
        if (ListwiseRuns.plackettLuce(lossType)) {
            return ListwiseRuns.reward(job, data, new PlackettLuceRewardLoss(centerRewardsCoefficient));
        }
        RewardTraining.Model rm = RewardTraining.Model.load(job.model, job.modelOptions.settings(), data.tokenizer, args.seed());
        PreferenceData[] sets = job.eval.data("reward", data, job.dataset, rm.tokenizerDir(), rm.model().config().vocabSize(), args.seed());
        PreferenceData train = sets[0], eval = sets[1];
        return job.finish("reward", rm, args, train, eval,
                d -> RewardTraining.evaluate(rm, loss, args, d.pairs(), d.column(marginColumn)),
                (t, e) -> RewardTraining.train(rm, loss, args, t.pairs(), t.column(marginColumn), e == null ? null : e.pairs(),
                        e == null ? null : e.column(marginColumn)));
    }
}
