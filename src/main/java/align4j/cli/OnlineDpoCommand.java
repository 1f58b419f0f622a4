package align4j.cli;

import align4j.InputException;
import align4j.api.OnlineDpo;
import align4j.loss.LossType;
import align4j.train.OnlineDpoConfig;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j online-dpo}: online DPO ({@link OnlineDpo}) with TRL's OnlineDPOConfig names and defaults; the
 * policy, reference, reward, LoRA, resume and training flags are {@link RlOptions}'. --per-device-train-batch-size
 * counts prompts per step, each sampled twice.
 */
@Command(name = "online-dpo", description = "Online DPO: two completions per prompt from the policy, labelled by the reward, a DPO step on the pair.")
final class OnlineDpoCommand implements Callable<Integer> {
    private static final OnlineDpoConfig D = OnlineDpoConfig.defaults();

    @Option(names = "--beta", description = "DPO's β (default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--loss-type", description = "sigmoid or ipo (default ${DEFAULT-VALUE}).")
    String lossType = "sigmoid";
    @Option(names = "--temperature", description = "Sampling temperature (default ${DEFAULT-VALUE}).")
    double temperature = D.temperature();
    @Option(names = "--max-new-tokens", description = "Tokens sampled at most per completion (default ${DEFAULT-VALUE}).")
    int maxNewTokens = D.maxNewTokens();
    @Option(names = "--missing-eos-penalty", description = "Subtracted from the score of a completion that ends without a stop token (default: none).")
    Double missingEosPenalty;
    @Mixin
    RlOptions rl;

    @Override
    public Integer call() throws IOException {
        OnlineDpoConfig cfg;
        try {
            cfg = D.withBeta(beta).withLossType(LossType.parse(lossType)).withTemperature(temperature).withMaxNewTokens(maxNewTokens)
                    .withMissingEosPenalty(missingEosPenalty);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        rl.run("online-dpo", true, (policy, ref, reward, prompts, sampling, args) -> OnlineDpo.train(policy, ref, reward, prompts, cfg, sampling, args));
        return 0;
    }
}
