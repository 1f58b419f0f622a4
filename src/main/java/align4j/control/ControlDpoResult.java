package align4j.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a trajectory-DPO run measured.
 *
 * @param referenceReturn       mean return of π_ref over the evaluation episodes
 * @param referenceReturnStd    its standard deviation across episodes
 * @param policyReturn          mean return of the DPO policy over the same start states
 * @param policyReturnStd       its standard deviation across episodes
 * @param labelAgreement        fraction of pairs whose Bradley–Terry label chose the higher return (ties count ½)
 * @param meanPairReturnGap     mean |R_a − R_b| over the pairs
 * @param finalLoss             mean DPO loss over the pairs in the last epoch
 * @param finalRewardAccuracy   fraction of pairs with β·Δ &gt; 0 in the last epoch (TRL's rewards/accuracies)
 * @param seconds               wall time of the whole run
 */
public record ControlDpoResult(double referenceReturn, double referenceReturnStd, double policyReturn,
                               double policyReturnStd, double labelAgreement, double meanPairReturnGap,
                               double finalLoss, double finalRewardAccuracy, double seconds) {

    /** summary.json's fields ({@code align4j control-dpo}): the task, these measurements, then the run's settings. */
    public Map<String, Object> summary(ControlDpoConfig config) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("env", config.env());
        s.put("env_id", ControlEnv.create(config.env()).id());
        s.put("reference_return", referenceReturn);
        s.put("reference_return_std", referenceReturnStd);
        s.put("policy_return", policyReturn);
        s.put("policy_return_std", policyReturnStd);
        s.put("label_agreement", labelAgreement);
        s.put("mean_pair_return_gap", meanPairReturnGap);
        s.put("final_loss", finalLoss);
        s.put("final_rewards/accuracies", finalRewardAccuracy);
        s.put("seconds", seconds);
        s.put("seed", config.seed());
        s.put("beta", config.beta());
        s.put("pairs", config.pairs());
        s.put("epochs", config.epochs());
        s.put("batch_size", config.batchSize());
        s.put("learning_rate", config.learningRate());
        s.put("temperature", config.temperature());
        s.put("eval_episodes", config.evalEpisodes());
        s.put("hidden", config.hidden());
        s.put("reference_noise", config.referenceNoise());
        return s;
    }

    /** Writes {@link #summary} as indented JSON to dir/summary.json (creating dir) and returns that file. */
    public Path writeSummary(Path dir, ControlDpoConfig config) {
        Path file = dir.resolve("summary.json");
        try {
            Files.createDirectories(dir);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), summary(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The reference's and the DPO policy's mean return and its spread, as a three-line table. */
    public String table() {
        return String.format("%-14s %12s %10s%n", "policy", "mean return", "std")
                + String.format("%-14s %12.1f %10.1f%n", "reference", referenceReturn, referenceReturnStd)
                + String.format("%-14s %12.1f %10.1f%n", "dpo", policyReturn, policyReturnStd);
    }
}
