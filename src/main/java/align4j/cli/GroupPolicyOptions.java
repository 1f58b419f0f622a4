package align4j.cli;

import align4j.loss.GrpoLoss;
import align4j.train.GrpoConfig;
import java.util.Locale;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options {@code grpo} and {@code rloo} share beyond {@link RlOptions}: TRL's GRPOConfig and RLOOConfig names
 * for the clipped ratio's ε, the optimisation passes per batch, the completion length and the sampling
 * temperature, the loss options (mask_truncated_completions, importance_sampling_level, top_entropy_quantile) and
 * log_completions, whose defaults the two configs share ({@link GrpoConfig#grpoDefaults()}).
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
    @Option(names = "--mask-truncated-completions", arity = "0..1", fallbackValue = "true",
            description = "Completions that hit --max-completion-length without a stop token take no part in the loss (default ${DEFAULT-VALUE}).")
    boolean maskTruncatedCompletions = D.maskTruncatedCompletions();
    @Option(names = "--importance-sampling-level", description = "token, or sequence (GSPO: one ratio per completion) (default ${DEFAULT-VALUE}).")
    String importanceSamplingLevel = D.importanceSamplingLevel().name().toLowerCase(Locale.ROOT);
    @Option(names = "--top-entropy-quantile", description = "Only the tokens in this top fraction of policy entropy take the ratio term (default ${DEFAULT-VALUE}: all).")
    double topEntropyQuantile = D.topEntropyQuantile();
    @Option(names = "--log-completions", arity = "0..1", fallbackValue = "true",
            description = "Write each logged step's completions, rewards and advantages to completions.jsonl (default ${DEFAULT-VALUE}).")
    boolean logCompletions = D.logCompletions();
    @Mixin
    RlOptions rl;

    /** base (the command's defaults and flags) with these flags. */
    GrpoConfig config(GrpoConfig base) {
        return base.withEpsilon(epsilon).withEpsilonHigh(epsilonHigh == null ? epsilon : epsilonHigh).withNumIterations(numIterations)
                .withMaxCompletionLength(maxCompletionLength).withTemperature(temperature)
                .withMaskTruncatedCompletions(maskTruncatedCompletions)
                .withImportanceSamplingLevel(GrpoLoss.ImportanceSamplingLevel.parse(importanceSamplingLevel))
                .withTopEntropyQuantile(topEntropyQuantile).withLogCompletions(logCompletions);
    }
}
