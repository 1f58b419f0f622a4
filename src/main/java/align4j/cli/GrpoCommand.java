package align4j.cli;

import align4j.InputException;
import align4j.loss.GrpoAdvantages;
import align4j.loss.GrpoLoss;
import align4j.train.GrpoConfig;
import align4j.train.GrpoTrainer;
import align4j.train.RolloutLogps;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j grpo}: Group Relative Policy Optimization with TRL's GRPOConfig names. As in TRL,
 * --per-device-train-batch-size counts completions per micro-batch: each step samples
 * per_device_train_batch_size × gradient_accumulation_steps completions, num_generations per prompt.
 */
@Command(name = "grpo", description = "GRPO: group sampling per prompt, group-normalised advantages, no value model.")
final class GrpoCommand implements Callable<Integer> {
    @Option(names = "--num-generations", defaultValue = "8", description = "Completions per prompt (default ${DEFAULT-VALUE}).")
    int numGenerations;
    @Option(names = "--beta", defaultValue = "0.0", description = "KL coefficient (k3, in the loss); 0 loads no reference (default ${DEFAULT-VALUE}).")
    double beta;
    @Option(names = "--scale-rewards", defaultValue = "group", description = "group, batch or none (default ${DEFAULT-VALUE}).")
    String scaleRewards;
    @Option(names = "--loss-type", defaultValue = "dapo", description = "grpo, bnpo, dapo or dr_grpo (default ${DEFAULT-VALUE}).")
    String lossType;
    @Mixin
    GroupPolicyOptions group;
    @Mixin
    RlOptions rl;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        GrpoConfig cfg;
        try {
            cfg = group.config(GrpoConfig.Estimator.GRPO, numGenerations, beta, GrpoAdvantages.ScaleRewards.parse(scaleRewards),
                    GrpoLoss.LossType.parse(lossType), false);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        run("grpo", cfg, rl, modelOptions, training.toArgs());
        return 0;
    }

    /** Shared by grpo and rloo: prompts per step = completions per step / num_generations. */
    static void run(String command, GrpoConfig cfg, RlOptions rl, ModelOptions modelOptions, TrainingArgs args) throws IOException {
        int g = cfg.numGenerations(), completions = args.batchSize() * args.gradientAccumulationSteps();
        if (completions % g != 0) {
            throw new InputException("--per-device-train-batch-size × --gradient-accumulation-steps (" + completions
                    + ") must be a multiple of --num-generations (" + g + ")");
        }
        TrainingArgs perPrompt = args.withBatchSize(completions / g);
        RlOptions.Loaded l = rl.load(command, cfg.beta() != 0, modelOptions, args.seed());
        RolloutLogps policy = new RolloutLogps(l.policy(), null, cfg.temperature());
        RolloutLogps ref = l.referenceLogps(cfg.temperature());
        GrpoTrainer trainer = new GrpoTrainer(policy, ref, rl.sampler(l, cfg.temperature(), cfg.maxCompletionLength()), l.reward(), cfg,
                args.maxGradNorm(), args.gradientAccumulationSteps());
        rl.train(command, l, perPrompt, trainer, policy);
    }
}
