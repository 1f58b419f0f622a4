package align4j.cli;

import align4j.InputException;
import align4j.control.ControlDpoConfig;
import align4j.control.ControlDpoResult;
import align4j.control.ControlEnv;
import align4j.control.TrajectoryDpo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code align4j control-dpo}: trajectory DPO on a classic control task (see {@link TrajectoryDpo}). */
@Command(name = "control-dpo", mixinStandardHelpOptions = true,
        description = "DPO on trajectories of CartPole-v1, Acrobot-v1 or MountainCar-v0: preferences between "
                + "reference-policy trajectories by Bradley-Terry on the return; writes summary.json.")
final class ControlDpoCommand implements Callable<Integer> {
    @Option(names = "--env", required = true, paramLabel = "NAME", description = "cartpole, acrobot or mountaincar.")
    String env;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the whole run (default: 0).")
    long seed;

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Where summary.json goes (default: control-dpo-ENV).")
    Path outputDir;

    @Option(names = "--beta", paramLabel = "B", description = "DPO beta (default: 0.1).")
    Double beta;

    @Option(names = "--pairs", paramLabel = "N", description = "Preference pairs (default: 500).")
    Integer pairs;

    @Option(names = "--epochs", paramLabel = "E", description = "Passes over the pairs (default: 10).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Pairs per step (default: 16).")
    Integer batchSize;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Adam learning rate (default: 1e-3).")
    Double learningRate;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Bradley-Terry temperature on returns: P(a preferred) = sigmoid((R_a - R_b)/T) (default: 10).")
    Double temperature;

    @Option(names = "--eval-episodes", paramLabel = "N", description = "Evaluation episodes per policy (default: 100).")
    Integer evalEpisodes;

    @Option(names = "--hidden", paramLabel = "N", description = "Width of the policy's two hidden layers (default: 32).")
    Integer hidden;

    @Option(names = "--reference-noise", paramLabel = "P",
            description = "Probability that the cloned controller acts at random (default: per task).")
    Double referenceNoise;

    @Override
    public Integer call() {
        if (!ControlEnv.NAMES.contains(env)) {
            throw new InputException("--env must be one of " + ControlEnv.NAMES + ", got '" + env + "'");
        }
        ControlDpoConfig d = ControlDpoConfig.defaults(env);
        ControlDpoConfig config;
        try {
            config = new ControlDpoConfig(env, seed, or(beta, d.beta()), or(pairs, d.pairs()), or(epochs, d.epochs()),
                    or(batchSize, d.batchSize()), or(learningRate, d.learningRate()), or(temperature, d.temperature()),
                    or(evalEpisodes, d.evalEpisodes()), or(hidden, d.hidden()), or(referenceNoise, d.referenceNoise()));
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage(), e);
        }
        Path dir = outputDir != null ? outputDir : Path.of("control-dpo-" + env);
        ControlDpoResult r = TrajectoryDpo.run(config, System.out);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("env", env);
        summary.put("env_id", ControlEnv.create(env).id());
        summary.put("reference_return", r.referenceReturn());
        summary.put("reference_return_std", r.referenceReturnStd());
        summary.put("policy_return", r.policyReturn());
        summary.put("policy_return_std", r.policyReturnStd());
        summary.put("label_agreement", r.labelAgreement());
        summary.put("mean_pair_return_gap", r.meanPairReturnGap());
        summary.put("final_loss", r.finalLoss());
        summary.put("final_rewards/accuracies", r.finalRewardAccuracy());
        summary.put("seconds", r.seconds());
        summary.put("seed", config.seed());
        summary.put("beta", config.beta());
        summary.put("pairs", config.pairs());
        summary.put("epochs", config.epochs());
        summary.put("batch_size", config.batchSize());
        summary.put("learning_rate", config.learningRate());
        summary.put("temperature", config.temperature());
        summary.put("eval_episodes", config.evalEpisodes());
        summary.put("hidden", config.hidden());
        summary.put("reference_noise", config.referenceNoise());
        try {
            Files.createDirectories(dir);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("summary.json").toFile(), summary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("summary.json") + ": " + e.getMessage(), e);
        }

        System.out.println();
        System.out.printf("%-14s %12s %10s%n", "policy", "mean return", "std");
        System.out.printf("%-14s %12.1f %10.1f%n", "reference", r.referenceReturn(), r.referenceReturnStd());
        System.out.printf("%-14s %12.1f %10.1f%n", "dpo", r.policyReturn(), r.policyReturnStd());
        System.out.printf("%d evaluation episodes each; %.1f s; wrote %s%n", config.evalEpisodes(), r.seconds(),
                dir.resolve("summary.json"));
        return 0;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
