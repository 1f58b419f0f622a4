package align4j.cli;

import align4j.data.Pairs;
import align4j.eval.ImplicitRewardReport;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j explain}: {@link ImplicitRewardReport}, per-token implicit rewards β·log π/π_ref of preference
 * pairs as an HTML heat map and JSONL.
 */
@Command(name = "explain", description = "Per-token implicit rewards β·log π/π_ref of preference pairs, as an HTML heat map and JSONL.")
final class ExplainCommand implements Callable<Integer> {
    private static final ImplicitRewardReport.Settings DEFAULTS = ImplicitRewardReport.Settings.defaults();

    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The trained policy (Hugging Face folder).")
    Path policy;
    @Option(names = {"--ref-model", "--ref"}, required = true, paramLabel = "DIR", description = "The reference model.")
    Path refModel;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference records (JSONL, JSON, Parquet).")
    Path data;
    @Option(names = "--beta", description = "β of the implicit reward (default ${DEFAULT-VALUE}).")
    double beta = DEFAULTS.beta();
    @Option(names = "--out", paramLabel = "FILE", description = "The HTML heat map (default ${DEFAULT-VALUE}).")
    Path out = Path.of("report.html");
    @Option(names = "--jsonl", paramLabel = "FILE", description = "Per-token values (default: --out with .jsonl instead of .html).")
    Path jsonl;
    @Option(names = "--limit", description = "Only the first N pairs (0: all).")
    int limit = DEFAULTS.limit();
    @Option(names = "--max-tokens", description = "Packed tokens per forward pass (default ${DEFAULT-VALUE}).")
    int maxTokens = DEFAULTS.maxTokens();
    @Mixin
    ThreadsOption threadsOption;
    @Mixin
    DataOptions dataOptions;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        ImplicitRewardReport.Settings settings = new ImplicitRewardReport.Settings(beta, limit, maxTokens);
        ImplicitRewardReport report = ImplicitRewardReport.load(policy, refModel);
        Pairs pairs = dataOptions.load(data, policy, report.vocabSize()).pairs();
        Path jsonOut = jsonl != null ? jsonl : ImplicitRewardReport.jsonlBeside(out);
        ImplicitRewardReport.Summary s = report.write(pairs, dataOptions.tokenizer != null ? dataOptions.tokenizer : policy,
                settings, out, jsonOut);
        System.err.printf(Locale.ROOT, "explain: %d pairs → %s, %s (rewards/chosen %.4f, rewards/rejected %.4f)%n",
                s.pairs(), out, jsonOut, s.rewardsChosen(), s.rewardsRejected());
        return 0;
    }
}
