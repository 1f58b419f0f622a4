package align4j.cli;

import align4j.InputException;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.train.GrpoConfig;
import picocli.CommandLine.Option;

/**
 * The options {@code grpo} and {@code rloo} share (TRL's GRPOConfig and RLOOConfig names and defaults): the
 * clipped ratio's ε, optimisation passes per batch, completion length and sampling temperature; and the
 * building of their {@link GrpoConfig}, whose range errors become usage errors.
 */
final class GroupPolicyOptions {
    @Option(names = "--epsilon", defaultValue = "0.2", description = "ε of the clipped ratio (default ${DEFAULT-VALUE}).")
    double epsilon;
    @Option(names = "--epsilon-high", description = "Upper ε (DAPO clip-higher; default: --epsilon).")
    Double epsilonHigh;
    @Option(names = "--num-iterations", defaultValue = "1", description = "Optimisation passes per batch, μ (default ${DEFAULT-VALUE}).")
    int numIterations;
    @Option(names = "--max-completion-length", defaultValue = "256", description = "Tokens sampled at most per completion (default ${DEFAULT-VALUE}).")
    int maxCompletionLength;
    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature;

    GrpoConfig config(GrpoConfig.Estimator estimator, int numGenerations, double beta, GrpoAdvantages.ScaleRewards scaleRewards,
                      GrpoLoss.LossType lossType, boolean normalizeAdvantages) {
        try {
            return new GrpoConfig(estimator, numGenerations, beta, epsilon, epsilonHigh == null ? epsilon : epsilonHigh,
                    scaleRewards, lossType, normalizeAdvantages, numIterations, maxCompletionLength, temperature);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }
}
