package align4j.cli;

import align4j.api.BestOfNSampling;
import align4j.eval.Scorer;
import align4j.io.JsonLines;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j best-of-n}: N samples per prompt scored by a reward model or a named function → {@link BestOfNSampling}. */
@Command(name = "best-of-n", description = {"Sample N completions per prompt, keep the highest-reward one; report reward gain and the analytic KL.",
        "Writes each prompt record to --out with the best completion, its reward and every sample's rewards."})
final class BestOfNCommand implements Callable<Integer> {
    @Mixin
    PolicySamplesOptions job;
    @Option(names = "--n", required = true, description = "Samples per prompt, N ≥ 1.")
    int n;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Reward reward;

    static final class Reward {
        @Option(names = "--reward-model", paramLabel = "DIR", description = "A reward model folder (align4j reward, or HF sequence classification).")
        Path rewardModel;
        @Option(names = "--reward-function", paramLabel = "NAME", description = "A named reward function (length, brevity, word-count, …).")
        String rewardFunction;
    }

    @Override
    public Integer call() throws Exception {
        job.threads.apply();
        job.sampling.comparable(n, "--n");
        Scorer scorer = reward.rewardModel != null ? LabelOptions.rewardModel(reward.rewardModel) : job.labels.function(reward.rewardFunction);
        BestOfNSampling.Result r = BestOfNSampling.select(job.draw(n, "--n", "best-of-n"), scorer, job.labels.references);
        JsonLines.write(job.out, r.records());
        ObjectMapper json = new ObjectMapper();
        ObjectNode summary = json.createObjectNode().put("n", n).put("prompts", r.records().size()).put("reward", scorer.name())
                .put("mean_reward_best_of_n", r.meanRewardBest()).put("mean_reward_single_sample", r.meanRewardSingle())
                .put("kl_analytic", r.klAnalytic());
        System.out.println(json.writeValueAsString(summary));
        System.err.printf(Locale.ROOT, "best-of-n: %d prompts, N = %d: mean reward %.4f (best) vs %.4f (single sample); "
                + "KL(best-of-N ‖ policy) = log N − (N−1)/N = %.4f nats → %s%n", r.records().size(), n, r.meanRewardBest(),
                r.meanRewardSingle(), r.klAnalytic(), job.out);
        return 0;
    }
}
