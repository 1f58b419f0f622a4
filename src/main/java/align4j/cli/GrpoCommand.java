package align4j.cli;

import align4j.api.Grpo;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.train.GrpoConfig;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j grpo}: Group Relative Policy Optimization ({@link Grpo}) with TRL's GRPOConfig names and defaults.
 * As in TRL, --per-device-train-batch-size counts completions per micro-batch: each step samples
 * per_device_train_batch_size × gradient_accumulation_steps completions, num_generations per prompt.
 */
@Command(name = "grpo", description = "GRPO: group sampling per prompt, group-normalised advantages, no value model.")
final class GrpoCommand implements Callable<Integer> {
    private static final GrpoConfig D = GrpoConfig.grpoDefaults();

    @Option(names = "--num-generations", description = "Completions per prompt (default ${DEFAULT-VALUE}).")
    int numGenerations = D.numGenerations();
    @Option(names = "--beta", description = "KL coefficient (k3, in the loss); 0 loads no reference (default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--scale-rewards", description = "group, batch or none (default ${DEFAULT-VALUE}).")
    String scaleRewards = D.scaleRewards().name().toLowerCase(Locale.ROOT);
    @Option(names = "--loss-type", description = "grpo, bnpo, dapo or dr_grpo (default ${DEFAULT-VALUE}).")
    String lossType = D.lossType().name().toLowerCase(Locale.ROOT);
    @Mixin
    GroupPolicyOptions group;

    @Override
    public Integer call() throws IOException {
        GrpoConfig cfg = group.config(D.withNumGenerations(numGenerations).withBeta(beta)
                .withScaleRewards(GrpoAdvantages.ScaleRewards.parse(scaleRewards)).withLossType(GrpoLoss.LossType.parse(lossType)));
        group.rl.run("grpo", cfg.beta() != 0, (policy, ref, reward, prompts, sampling, args) -> Grpo.train(policy, ref, reward, prompts, cfg, sampling, args));
        return 0;
    }
}
