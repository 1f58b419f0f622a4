package align4j.cli;

import align4j.train.OrpoConfig;
import picocli.CommandLine.Option;

/** The {@code orpo} loss flag, TRL's ORPOConfig name, starting from {@link OrpoConfig#defaults()}. */
final class OrpoOptions {
    private static final OrpoConfig D = OrpoConfig.defaults();

    @Option(names = "--beta", description = "λ, the weight of the odds-ratio term against the NLL (default ${DEFAULT-VALUE}).")
    double beta = D.beta();

    /** The config; out-of-range values are input errors named as TRL names them. */
    OrpoConfig config() {
        return new OrpoConfig(beta);
    }
}
