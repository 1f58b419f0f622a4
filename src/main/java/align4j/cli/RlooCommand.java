package align4j.cli;

import align4j.api.Rloo;
import align4j.train.GrpoConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j rloo}: REINFORCE Leave-One-Out ({@link Rloo}) with TRL's RLOOConfig names and defaults: k
 * completions per prompt, the KL to the reference as reward shaping, baseline = the mean reward of the other k − 1.
 * --per-device-train-batch-size counts completions, as in TRL.
 */
@Command(name = "rloo", description = "RLOO: k samples per prompt, leave-one-out baseline, no value model.")
final class RlooCommand implements Callable<Integer> {
    private static final GrpoConfig D = GrpoConfig.rlooDefaults();

    @Option(names = {"--num-generations", "--rloo-k"}, description = "Completions per prompt, k ≥ 2 (default ${DEFAULT-VALUE}).")
    int numGenerations = D.numGenerations();
    @Option(names = "--beta", description = "KL coefficient of the reward shaping r − β·KL (default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--normalize-advantages", arity = "0..1", fallbackValue = "true", description = "Whiten the advantages over the batch.")
    boolean normalizeAdvantages = D.normalizeAdvantages();
    @Mixin
    GroupPolicyOptions group;

    @Override
    public Integer call() throws IOException {
        GrpoConfig cfg = group.config(D.withNumGenerations(numGenerations).withBeta(beta).withNormalizeAdvantages(normalizeAdvantages));
        group.rl.run("rloo", cfg.beta() != 0, (policy, ref, reward, prompts, sampling, args) -> Rloo.train(policy, ref, reward, prompts, cfg, sampling, args));
        return 0;
    }
}
