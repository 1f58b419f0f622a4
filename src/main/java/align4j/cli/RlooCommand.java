package align4j.cli;

import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.train.GrpoConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j rloo}: REINFORCE Leave-One-Out with TRL's RLOOConfig names: k completions per prompt,
 * the KL to the reference as reward shaping, baseline = the mean reward of the other k − 1.
 * --per-device-train-batch-size counts completions, as in TRL.
 */
@Command(name = "rloo", description = "RLOO: k samples per prompt, leave-one-out baseline, no value model.")
final class RlooCommand implements Callable<Integer> {
    @Option(names = {"--num-generations", "--rloo-k"}, defaultValue = "2", description = "Completions per prompt, k ≥ 2 (default ${DEFAULT-VALUE}).")
    int numGenerations;
    @Option(names = "--beta", defaultValue = "0.05", description = "KL coefficient of the reward shaping r − β·KL (default ${DEFAULT-VALUE}).")
    double beta;
    @Option(names = "--normalize-advantages", arity = "0..1", fallbackValue = "true", defaultValue = "false", description = "Whiten the advantages over the batch.")
    boolean normalizeAdvantages;
    @Mixin
    GroupPolicyOptions group;
    @Mixin
    RlOptions rl;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        GrpoConfig cfg = group.config(GrpoConfig.Estimator.RLOO, numGenerations, beta, GrpoAdvantages.ScaleRewards.NONE,
                GrpoLoss.LossType.GRPO, normalizeAdvantages);
        GrpoCommand.run("rloo", cfg, rl, modelOptions, training.toArgs());
        return 0;
    }
}
