package align4j.cli;

import align4j.loss.CpoLoss;
import align4j.train.CpoConfig;
import picocli.CommandLine.Option;

/** The {@code cpo} loss flags, TRL's CPOConfig names, each starting from {@link CpoConfig#defaults()}. */
final class CpoOptions {
    private static final CpoConfig D = CpoConfig.defaults();

    @Option(names = "--loss-type", paramLabel = "TYPE", description = "sigmoid (CPO), hinge, ipo or simpo (SimPO; default ${DEFAULT-VALUE}).")
    String lossType = D.lossType().toString();
    @Option(names = "--beta", description = "β (τ for ipo; default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--label-smoothing", description = "ε for sigmoid and simpo (default ${DEFAULT-VALUE}).")
    double labelSmoothing = D.labelSmoothing();
    @Option(names = "--cpo-alpha", paramLabel = "A", description = "Weight of the NLL of the chosen completions (default ${DEFAULT-VALUE}; 0 for pure SimPO).")
    double cpoAlpha = D.cpoAlpha();
    @Option(names = "--simpo-gamma", paramLabel = "G", description = "SimPO's target reward margin γ (default ${DEFAULT-VALUE}).")
    double simpoGamma = D.simpoGamma();

    /** The config; out-of-range values are input errors named as TRL names them. */
    CpoConfig config() {
        return new CpoConfig(CpoLoss.Type.parse(lossType), beta, labelSmoothing, cpoAlpha, simpoGamma);
    }
}
