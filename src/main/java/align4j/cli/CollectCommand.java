package align4j.cli;

import align4j.InputException;
import align4j.api.Collect;
import align4j.data.Pairing;
import align4j.eval.Labeller;
import align4j.io.JsonLines;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j collect}: on-policy preference data, K samples per prompt labelled and paired by {@link Collect}. */
@Command(name = "collect", description = {"Sample K completions per prompt, label them, write preference pairs (JSONL for dpo).",
        "Writes TRL preference records to --out: prompt, chosen, rejected, chosen_score, rejected_score;",
        "with --listwise one ranking per prompt: prompt, completions (best first), ranking (1 = best), scores."})
final class CollectCommand implements Callable<Integer> {
    @Mixin
    PolicySamplesOptions job;
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
    @Option(names = "--listwise", description = "Write each prompt's completions as one ranking by their labels (for dpo/reward --loss-type plackett_luce) instead of pairs; with --bradley-terry the order is a Plackett–Luce draw.")
    boolean listwise;

    @Override
    public Integer call() throws Exception {
        job.threads.apply();
        if (numSamples < 2) throw new InputException("--num-samples must be at least 2 to make pairs, got " + numSamples);
        job.sampling.comparable(numSamples, "--num-samples");
        Collect.Config cfg = new Collect.Config(Pairing.parse(pairing), bradleyTerry, btTemperature, job.labels.references, job.sampling.seed,
                listwise);
        Labeller labeller = job.labels.parse(label, job.sampling.seed);
        Collect.validate(labeller, cfg);
        Collect.Result r = Collect.label(job.draw(numSamples, "--num-samples", "collect"), labeller, cfg);
        JsonLines.write(job.out, r.records());
        int written = r.records().size();
        System.err.printf(Locale.ROOT, "collect: %d prompts × %d samples (%d empty or duplicate dropped), labelled by %s → %d %s%s%s → %s%n",
                r.prompts(), numSamples, r.dropped(), labeller.name(), written, listwise ? "rankings" : "pairs",
                Double.isNaN(r.meanGap()) ? "" : String.format(Locale.ROOT, ", mean score gap %.4f", r.meanGap()),
                r.invalid() > 0 ? ", " + r.invalid() + " judge answers invalid (skipped)" : "", job.out);
        return 0;
    }
}
