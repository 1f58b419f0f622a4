package align4j.cli;

import align4j.loss.KtoLoss;
import align4j.train.KtoConfig;
import picocli.CommandLine.Option;

/** The {@code kto} loss flags, TRL's KTOConfig names, each starting from {@link KtoConfig#defaults()}. */
final class KtoOptions {
    private static final KtoConfig D = KtoConfig.defaults();

    @Option(names = "--loss-type", paramLabel = "TYPE", description = "kto or apo_zero_unpaired (default ${DEFAULT-VALUE}).")
    String lossType = D.lossType().toString();
    @Option(names = "--beta", description = "β, the KL strength (default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--desirable-weight", paramLabel = "W", description = "Weight of the losses of label=true examples (default ${DEFAULT-VALUE}).")
    double desirableWeight = D.desirableWeight();
    @Option(names = "--undesirable-weight", paramLabel = "W", description = "Weight of the losses of label=false examples (default ${DEFAULT-VALUE}).")
    double undesirableWeight = D.undesirableWeight();

    /** The config; out-of-range values are input errors named as TRL names them. */
    KtoConfig config() {
        return new KtoConfig(KtoLoss.Type.parse(lossType), beta, desirableWeight, undesirableWeight);
    }
}
