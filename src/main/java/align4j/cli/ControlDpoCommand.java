package align4j.cli;

import align4j.control.ControlDpoConfig;
import align4j.control.ControlDpoResult;
import align4j.control.TrajectoryDpo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code align4j control-dpo}: trajectory DPO on a classic control task (see {@link TrajectoryDpo}). */
@Command(name = "control-dpo", mixinStandardHelpOptions = true,
        description = "DPO on trajectories of CartPole-v1, Acrobot-v1 or MountainCar-v0: preferences between "
                + "reference-policy trajectories by Bradley-Terry on the return; writes summary.json.")
final class ControlDpoCommand implements Callable<Integer> {
    /** Every default but reference_noise is the same for each task. */
    private static final ControlDpoConfig DEFAULTS = ControlDpoConfig.defaults("cartpole");

    @Option(names = "--env", required = true, paramLabel = "NAME", description = "cartpole, acrobot or mountaincar.")
    String env;
    @Option(names = "--seed", paramLabel = "S", description = "Seed of the whole run (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();
    @Option(names = "--output-dir", paramLabel = "DIR", description = "Where summary.json goes (default: control-dpo-ENV).")
    Path outputDir;
    @Option(names = "--beta", paramLabel = "B", description = "DPO beta (default: ${DEFAULT-VALUE}).")
    double beta = DEFAULTS.beta();
    @Option(names = "--pairs", paramLabel = "N", description = "Preference pairs (default: ${DEFAULT-VALUE}).")
    int pairs = DEFAULTS.pairs();
    @Option(names = "--epochs", paramLabel = "E", description = "Passes over the pairs (default: ${DEFAULT-VALUE}).")
    int epochs = DEFAULTS.epochs();
    @Option(names = "--batch-size", paramLabel = "N", description = "Pairs per step (default: ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();
    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate = DEFAULTS.learningRate();
    @Option(names = "--temperature", paramLabel = "T",
            description = "Bradley-Terry temperature on returns: P(a preferred) = sigmoid((R_a - R_b)/T) (default: ${DEFAULT-VALUE}).")
    double temperature = DEFAULTS.temperature();
    @Option(names = "--eval-episodes", paramLabel = "N", description = "Evaluation episodes per policy (default: ${DEFAULT-VALUE}).")
    int evalEpisodes = DEFAULTS.evalEpisodes();
    @Option(names = "--hidden", paramLabel = "N", description = "Width of the policy's two hidden layers (default: ${DEFAULT-VALUE}).")
    int hidden = DEFAULTS.hidden();
    @Option(names = "--reference-noise", paramLabel = "P",
            description = "Probability that the cloned controller acts at random (default: per task).")
    Double referenceNoise;

    @Override
    public Integer call() {
        double noise = referenceNoise != null ? referenceNoise : ControlDpoConfig.defaults(env).referenceNoise();
        ControlDpoConfig config = new ControlDpoConfig(env, seed, beta, pairs, epochs, batchSize, learningRate, temperature,
                evalEpisodes, hidden, noise);
        ControlDpoResult r = TrajectoryDpo.run(config, System.out);
        Path summary = r.writeSummary(outputDir != null ? outputDir : Path.of("control-dpo-" + env), config);
        System.out.println();
        System.out.print(r.table());
        System.out.printf("%d evaluation episodes each; %.1f s; wrote %s%n", evalEpisodes, r.seconds(), summary);
        return 0;
    }
}
