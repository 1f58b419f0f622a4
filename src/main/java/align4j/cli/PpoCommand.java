package align4j.cli;

import align4j.InputException;
import align4j.loss.KlEstimators;
import align4j.model.ScalarHead;
import align4j.train.PpoConfig;
import align4j.train.PpoTrainer;
import align4j.train.RolloutLogps;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j ppo}: RLHF with PPO as TRL's PPOTrainer runs it (rollouts from the policy, a frozen
 * reference, per-token KL-shaped rewards, GAE, clipped policy and value losses), with TRL's flag names,
 * the legacy adaptive KL controller, and PPO-KLPEN as an align4j extra. As in TRL, one step is a batch of
 * per_device_train_batch_size × gradient_accumulation_steps × num_mini_batches prompts; each minibatch
 * (one optimizer step) accumulates gradient_accumulation_steps micro-batches.
 */
@Command(name = "ppo", description = "RLHF with PPO: sample, score, and optimise the policy with a value head on its backbone.")
final class PpoCommand implements Callable<Integer> {
    @Option(names = "--kl-coef", defaultValue = "0.05", description = "β of the per-token KL penalty in the reward (default ${DEFAULT-VALUE}).")
    double klCoef;
    @Option(names = "--kl-estimator", defaultValue = "k1", description = "k1 or k3 (default ${DEFAULT-VALUE}).")
    String klEstimator;
    @Option(names = "--adap-kl-ctrl", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "Adapt β toward --target (Ziegler et al. 2019; TRL v0.11's adaptive controller).")
    boolean adapKlCtrl;
    @Option(names = "--init-kl-coef", defaultValue = "0.2", description = "Starting β of the adaptive controller (default ${DEFAULT-VALUE}).")
    double initKlCoef;
    @Option(names = "--target", defaultValue = "6", description = "KL the adaptive controller aims at, in nats per completion (default ${DEFAULT-VALUE}).")
    double target;
    @Option(names = "--horizon", defaultValue = "10000", description = "Horizon of the adaptive controller, in rollouts (default ${DEFAULT-VALUE}).")
    double horizon;
    @Option(names = "--cliprange", defaultValue = "0.2", description = "ε of the clipped policy ratio (default ${DEFAULT-VALUE}).")
    double cliprange;
    @Option(names = "--cliprange-value", defaultValue = "0.2", description = "ε of the clipped value prediction (default ${DEFAULT-VALUE}).")
    double cliprangeValue;
    @Option(names = "--vf-coef", defaultValue = "0.1", description = "Weight of the value loss (default ${DEFAULT-VALUE}).")
    double vfCoef;
    @Option(names = "--gamma", defaultValue = "1.0", description = "Discount γ (default ${DEFAULT-VALUE}).")
    double gamma;
    @Option(names = "--lam", defaultValue = "0.95", description = "GAE λ (default ${DEFAULT-VALUE}).")
    double lam;
    @Option(names = "--num-ppo-epochs", defaultValue = "4", description = "Passes over each rollout batch (default ${DEFAULT-VALUE}).")
    int numPpoEpochs;
    @Option(names = "--num-mini-batches", defaultValue = "1", description = "Minibatches per pass, one optimizer step each (default ${DEFAULT-VALUE}).")
    int numMiniBatches;
    @Option(names = "--whiten-rewards", arity = "0..1", fallbackValue = "true", defaultValue = "false", description = "Whiten per-token rewards before GAE.")
    boolean whitenRewards;
    @Option(names = "--missing-eos-penalty", description = "Subtracted from the score of completions that end without a stop token.")
    Double missingEosPenalty;
    @Option(names = "--response-length", defaultValue = "53", description = "Tokens sampled at most per completion (default ${DEFAULT-VALUE}).")
    int responseLength;
    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature, also dividing the logits in training (default ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--policy-loss", defaultValue = "clip", description = "clip (PPO-clip, TRL) or klpen (PPO-KLPEN: ratio·A − β·KL in the objective).")
    String policyLoss;
    @Option(names = "--klpen-beta", defaultValue = "0.5", description = "PPO-KLPEN: starting β (default ${DEFAULT-VALUE}).")
    double klpenBeta;
    @Option(names = "--klpen-target", defaultValue = "0.01", description = "PPO-KLPEN: d_targ, per token; β doubles above 1.5·d_targ, halves below d_targ/1.5 (default ${DEFAULT-VALUE}).")
    double klpenTarget;
    @Option(names = "--klpen-kl", defaultValue = "old", description = "PPO-KLPEN: KL to 'old' (π_old, Schulman et al.) or 'ref' (the reference) (default ${DEFAULT-VALUE}).")
    String klpenKl;
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
        TrainingArgs args = training.toArgs();
        PpoConfig cfg;
        try {
            PpoConfig.PolicyLoss loss = switch (policyLoss.toLowerCase(Locale.ROOT)) {
                case "clip" -> PpoConfig.PolicyLoss.CLIP;
                case "klpen" -> PpoConfig.PolicyLoss.KLPEN;
                default -> throw new IllegalArgumentException("--policy-loss must be clip or klpen, got '" + policyLoss + "'");
            };
            if (!klpenKl.equals("old") && !klpenKl.equals("ref")) throw new IllegalArgumentException("--klpen-kl must be old or ref, got '" + klpenKl + "'");
            cfg = new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam,
                    KlEstimators.Estimator.parse(klEstimator), adapKlCtrl ? initKlCoef : klCoef, adapKlCtrl, target, horizon,
                    whitenRewards, missingEosPenalty == null ? Double.NaN : missingEosPenalty, temperature, responseLength, loss,
                    klpenBeta, klpenTarget, klpenKl.equals("ref"));
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        // TRL: a batch is per_device_train_batch_size × gradient_accumulation_steps × num_mini_batches rollouts
        int perStep = args.batchSize() * args.gradientAccumulationSteps() * numMiniBatches;
        if (perStep < 2) throw new InputException("PPO needs at least 2 rollouts per batch (advantages are whitened over the batch); raise --per-device-train-batch-size");
        RlOptions.Loaded l = rl.load("ppo", true, modelOptions, args.seed());
        // The value head reads the policy's own hidden states (see RolloutLogps); it starts at V = 0.
        ScalarHead valueHead = RolloutLogps.newValueHead(l.policy().cfg.hidden());
        RolloutLogps policy = new RolloutLogps(l.policy(), valueHead, temperature);
        PpoTrainer ppo = new PpoTrainer(policy, l.referenceLogps(temperature),
                rl.sampler(l, temperature, responseLength), l.reward(), cfg, args.maxGradNorm(), args.gradientAccumulationSteps());
        rl.train("ppo", l, args.withBatchSize(perStep), ppo, policy);
        return 0;
    }
}
