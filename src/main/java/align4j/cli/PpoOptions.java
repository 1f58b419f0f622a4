package align4j.cli;

import align4j.InputException;
import align4j.loss.KlEstimators;
import align4j.train.PpoConfig;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code ppo} flags, TRL's PPOConfig names (and v0.11's adaptive KL controller), each starting from
 * {@link PpoConfig#defaults()}, and the {@link PpoConfig} they make.
 */
final class PpoOptions {
    private static final PpoConfig D = PpoConfig.defaults();

    @Option(names = "--kl-coef", description = "β of the per-token KL penalty in the reward (default ${DEFAULT-VALUE}).")
    double klCoef = D.klCoef();
    @Option(names = "--kl-estimator", description = "k1 or k3 (default ${DEFAULT-VALUE}).")
    String klEstimator = D.klEstimator().name().toLowerCase(Locale.ROOT);
    @Option(names = "--adap-kl-ctrl", arity = "0..1", fallbackValue = "true", description = "Adapt β toward --target (Ziegler et al. 2019; TRL v0.11's adaptive controller).")
    boolean adapKlCtrl = D.adaptiveKl();
    @Option(names = "--init-kl-coef", description = "Starting β of the adaptive controller (default ${DEFAULT-VALUE}).")
    double initKlCoef = PpoConfig.INIT_KL_COEF;
    @Option(names = "--target", description = "KL the adaptive controller aims at, in nats per completion (default ${DEFAULT-VALUE}).")
    double target = D.target();
    @Option(names = "--horizon", description = "Horizon of the adaptive controller, in rollouts (default ${DEFAULT-VALUE}).")
    double horizon = D.horizon();
    @Option(names = "--cliprange", description = "ε of the clipped policy ratio (default ${DEFAULT-VALUE}).")
    double cliprange = D.cliprange();
    @Option(names = "--cliprange-value", description = "ε of the clipped value prediction (default ${DEFAULT-VALUE}).")
    double cliprangeValue = D.cliprangeValue();
    @Option(names = "--vf-coef", description = "Weight of the value loss (default ${DEFAULT-VALUE}).")
    double vfCoef = D.vfCoef();
    @Option(names = "--gamma", description = "Discount γ (default ${DEFAULT-VALUE}).")
    double gamma = D.gamma();
    @Option(names = "--lam", description = "GAE λ (default ${DEFAULT-VALUE}).")
    double lam = D.lam();
    @Option(names = "--num-ppo-epochs", description = "Passes over each rollout batch (default ${DEFAULT-VALUE}).")
    int numPpoEpochs = D.numPpoEpochs();
    @Option(names = "--num-mini-batches", description = "Minibatches per pass, one optimizer step each (default ${DEFAULT-VALUE}).")
    int numMiniBatches = D.numMiniBatches();
    @Option(names = "--whiten-rewards", arity = "0..1", fallbackValue = "true", description = "Whiten per-token rewards before GAE.")
    boolean whitenRewards = D.whitenRewards();
    @Option(names = "--missing-eos-penalty", description = "Subtracted from the score of completions that end without a stop token.")
    double missingEosPenalty = D.missingEosPenalty();
    @Option(names = "--response-length", description = "Tokens sampled at most per completion (default ${DEFAULT-VALUE}).")
    int responseLength = D.responseLength();
    @Option(names = "--temperature", description = "Sampling temperature, also dividing the logits in training (default ${DEFAULT-VALUE}).")
    double temperature = D.temperature();
    @Option(names = "--policy-loss", description = "clip (PPO-clip, TRL) or klpen (PPO-KLPEN: ratio·A − β·KL in the objective).")
    String policyLoss = D.policyLoss().name().toLowerCase(Locale.ROOT);
    @Option(names = "--klpen-beta", description = "PPO-KLPEN: starting β (default ${DEFAULT-VALUE}).")
    double klpenBeta = D.klpenBeta();
    @Option(names = "--klpen-target", description = "PPO-KLPEN: d_targ, per token; β doubles above 1.5·d_targ, halves below d_targ/1.5 (default ${DEFAULT-VALUE}).")
    double klpenTarget = D.klpenTarget();
    @Option(names = "--klpen-kl", description = "PPO-KLPEN: KL to 'old' (π_old, Schulman et al.) or 'ref' (the reference) (default ${DEFAULT-VALUE}).")
    String klpenKl = D.klpenToReference() ? "ref" : "old";

    PpoConfig config() {
        if (!klpenKl.equals("old") && !klpenKl.equals("ref")) throw new InputException("--klpen-kl must be old or ref, got '" + klpenKl + "'");
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam,
                KlEstimators.Estimator.parse(klEstimator), adapKlCtrl ? initKlCoef : klCoef, adapKlCtrl, target, horizon,
                whitenRewards, missingEosPenalty, temperature, responseLength, PpoConfig.PolicyLoss.parse(policyLoss),
                klpenBeta, klpenTarget, klpenKl.equals("ref"));
    }
}
