package align4j.cli;

import align4j.InputException;
import align4j.api.Collect;
import align4j.data.Pairing;
import align4j.eval.Labeller;
import align4j.io.JsonLines;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j collect}: on-policy preference data, K samples per prompt labelled and paired by {@link Collect}. */
@Command(name = "collect", description = "Sample K completions per prompt, label them, write preference pairs (JSONL for dpo).")
final class CollectCommand implements Callable<Integer> {
    @Mixin
    SamplingOptions.PolicyPrompts source;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: prompt, chosen, rejected, chosen_score, rejected_score.")
    Path out;
    @Option(names = "--num-samples", defaultValue = "4", description = "Completions per prompt, K ≥ 2 (default ${DEFAULT-VALUE}).")
    int numSamples;
    @Option(names = "--label", required = true, paramLabel = "SPEC", description = "reward-model:DIR, function:NAME, bleu, rouge-l or judge.")
    String label;
    @Option(names = {"--pairing", "--pairs"}, defaultValue = "all_pairs", description = "all_pairs (every pair with different labels) or best_vs_worst (default ${DEFAULT-VALUE}; --pairs all|best-worst still read).")
    String pairing;
    @Option(names = "--bradley-terry", description = "Draw each pair's label from P(a ≻ b) = σ((s_a − s_b)/T) instead of taking the higher score.")
    boolean bradleyTerry;
    @Option(names = "--bt-temperature", defaultValue = "1.0", description = "T of --bradley-terry (default ${DEFAULT-VALUE}).")
    double btTemperature;
    @Mixin
    SamplingOptions sampling;
    @Mixin
    LabelOptions labelOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (numSamples < 2) throw new InputException("--num-samples must be at least 2 to make pairs, got " + numSamples);
        sampling.comparable(numSamples, "--num-samples");
        Collect.Config cfg = new Collect.Config(Pairing.parse(pairing), bradleyTerry, btTemperature, labelOptions.references, sampling.seed);
        Labeller labeller = labelOptions.parse(label, sampling.seed);
        Collect.validate(labeller, cfg);
        Collect.Result r = Collect.label(source.draw(sampling, numSamples, "--num-samples", "collect"), labeller, cfg);
        JsonLines.write(out, r.records());
        int written = r.records().size();
        System.err.printf(Locale.ROOT, "collect: %d prompts × %d samples (%d empty or duplicate dropped), labelled by %s → %d pairs%s%s → %s%n",
                r.prompts(), numSamples, r.dropped(), labeller.name(), written,
                Double.isNaN(r.meanGap()) ? "" : String.format(Locale.ROOT, ", mean score gap %.4f", r.meanGap()),
                r.invalid() > 0 ? ", " + r.invalid() + " judge answers invalid (skipped)" : "", out);
        return 0;
    }
}
