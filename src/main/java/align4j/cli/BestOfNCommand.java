package align4j.cli;

import align4j.InputException;
import align4j.eval.BestOfN;
import align4j.eval.Sample;
import align4j.eval.Scorer;
import align4j.generate.Generation;
import align4j.io.AtomicWrite;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j best-of-n}: N samples per prompt, scored by a reward model or a named function, the best kept.
 * Reports the mean reward of the kept samples against that of a single sample (the mean over all N·prompts
 * samples, an unbiased estimate of E_π[r]), and the analytic KL(π_BoN‖π) = log N − (N−1)/N ({@link BestOfN}).
 */
@Command(name = "best-of-n", description = "Sample N completions per prompt, keep the highest-reward one; report reward gain and the analytic KL.")
final class BestOfNCommand implements Callable<Integer> {
    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The model to sample from.")
    Path policy;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL records with prompt, messages or prompt_input_ids.")
    Path prompts;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: each prompt record plus completion, reward, rewards.")
    Path out;
    @Option(names = "--n", required = true, description = "Samples per prompt, N ≥ 1.")
    int n;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Reward reward;
    @Mixin
    SamplingOptions sampling;
    @Mixin
    LabelOptions labelOptions;
    @Mixin
    ThreadsOption threadsOption;

    static final class Reward {
        @Option(names = "--reward-model", paramLabel = "DIR", description = "A reward model folder (align4j reward, or HF sequence classification).")
        Path rewardModel;
        @Option(names = "--reward-function", paramLabel = "NAME", description = "A named reward function (length, brevity, word-count, …).")
        String rewardFunction;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        sampling.check(n, "--n");
        Scorer scorer = reward.rewardModel != null ? LabelOptions.rewardModel(reward.rewardModel) : labelOptions.function(reward.rewardFunction);
        SamplingOptions.Drawn d = sampling.draw(policy, prompts, n, "best-of-n");
        if (reward.rewardFunction != null && d.tokenizer() == null) {
            throw new InputException(policy + ": --reward-function reads text, but the policy folder has no tokenizer.json");
        }
        int m = d.prompts().size();
        List<Sample> all = new ArrayList<>(m * n);
        for (int i = 0; i < m; i++) all.addAll(labelOptions.samples(d, i));
        double[] r;
        try {
            r = scorer.score(all);
        } catch (IllegalArgumentException e) {
            throw new InputException(scorer.name() + ": " + e.getMessage());
        }
        double sumBest = 0, sumAll = 0;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < m; i++) {
            int b = BestOfN.best(r, i * n, n);
            Generation g = d.get(i, b);
            PromptFile.Prompt p = d.prompts().get(i);
            ObjectNode rec = p.record().deepCopy();
            if (g.text() != null) {
                if (p.conversational()) rec.putArray("completion").addObject().put("role", "assistant").put("content", g.text());
                else rec.put("completion", g.text());
            }
            var ids = rec.putArray("completion_input_ids");
            for (int id : g.tokenIds()) ids.add(id);
            rec.put("reward", r[i * n + b]);
            var rs = rec.putArray("rewards");
            for (int j = 0; j < n; j++) rs.add(r[i * n + j]);
            lines.append(JSON.writeValueAsString(rec)).append('\n');
            sumBest += r[i * n + b];
            for (int j = 0; j < n; j++) sumAll += r[i * n + j];
        }
        AtomicWrite.write(out, lines.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode summary = JSON.createObjectNode();
        summary.put("n", n);
        summary.put("prompts", m);
        summary.put("reward", scorer.name());
        summary.put("mean_reward_best_of_n", sumBest / m);
        summary.put("mean_reward_single_sample", sumAll / (m * (double) n));
        summary.put("kl_analytic", BestOfN.analyticKl(n));
        System.out.println(JSON.writeValueAsString(summary));
        System.err.printf(Locale.ROOT, "best-of-n: %d prompts, N = %d: mean reward %.4f (best) vs %.4f (single sample); "
                + "KL(best-of-N ‖ policy) = log N − (N−1)/N = %.4f nats → %s%n", m, n, sumBest / m, sumAll / (m * (double) n),
                BestOfN.analyticKl(n), out);
        return 0;
    }
}
