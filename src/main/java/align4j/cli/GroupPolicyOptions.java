package align4j.cli;

import align4j.train.GrpoConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code grpo} and {@code rloo} share beyond {@link RlOptions}: TRL's GRPOConfig and RLOOConfig names
 * for the clipped ratio's ε, the optimisation passes per batch, the completion length and the sampling
 * temperature, whose defaults the two configs share ({@link GrpoConfig#grpoDefaults()}).
 */
final class GroupPolicyOptions {
    private static final GrpoConfig D = GrpoConfig.grpoDefaults();

    @Option(names = "--epsilon", description = "ε of the clipped ratio (default ${DEFAULT-VALUE}).")
    double epsilon = D.epsilon();
    @Option(names = "--epsilon-high", description = "Upper ε (DAPO clip-higher; default: --epsilon).")
    Double epsilonHigh;
    @Option(names = "--num-iterations", description = "Optimisation passes per batch, μ (default ${DEFAULT-VALUE}).")
    int numIterations = D.numIterations();
    @Option(names = "--max-completion-length", description = "Tokens sampled at most per completion (default ${DEFAULT-VALUE}).")
    int maxCompletionLength = D.maxCompletionLength();
    @Option(names = "--temperature", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature = D.temperature();
    @Mixin
    RlOptions rl;

    /** base (the command's defaults and flags) with these flags. */
    GrpoConfig config(GrpoConfig base) {
        return base.withEpsilon(epsilon).withEpsilonHigh(epsilonHigh == null ? epsilon : epsilonHigh).withNumIterations(numIterations)
                .withMaxCompletionLength(maxCompletionLength).withTemperature(temperature);
    }
}
