package align4j.cli;

import align4j.InputException;
import align4j.api.Policy;
import align4j.api.Samples;
import align4j.api.Sampling;
import align4j.api.WinRate;
import align4j.eval.Labeller;
import align4j.eval.Sample;
import align4j.generate.SamplingParams;
import align4j.io.AtomicWrite;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j winrate}: a policy's completions against a baseline's on the same prompts, by {@link WinRate}. */
@Command(name = "winrate", description = {"Win rate of a policy against a baseline model (or a file of its completions) on the same prompts,",
        "judged by a reward model, a reward function or the LLM judge (both orders: position bias). Ties count half; Wilson interval;",
        "length-controlled win rate (AlpacaEval 2: logistic fit on the length difference, the rate at zero difference).",
        "Writes the JSON summary to stdout and --out (e.g. winrate.json); --html FILE adds a page with a few example pairs."})
final class WinrateCommand implements Callable<Integer> {
    @Mixin
    PolicySamplesOptions job;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Baseline baseline;
    @Option(names = "--label", required = true, paramLabel = "SPEC", description = "reward-model:DIR, function:NAME, bleu, rouge-l or judge.")
    String label;
    @Option(names = "--num-samples", defaultValue = "1", description = "Completions per prompt of each model, compared in order (default ${DEFAULT-VALUE}).")
    int numSamples;
    @Option(names = "--confidence", defaultValue = "0.95", description = "Confidence of the Wilson interval (default ${DEFAULT-VALUE}).")
    double confidence;
    @Option(names = "--length-ridge", defaultValue = "0", description = "L2 penalty on the length slope of the length-controlled fit (default ${DEFAULT-VALUE}).")
    double lengthRidge;
    @Option(names = "--html", paramLabel = "FILE", description = "Also write an HTML page: the table and a few example pairs.")
    Path html;
    @Option(names = "--examples", defaultValue = "5", description = "Example pairs on the --html page (default ${DEFAULT-VALUE}).")
    int examples;

    static final class Baseline {
        @Option(names = "--baseline", paramLabel = "DIR", description = "The baseline model, sampled on the same prompts with the same settings (seed + 1).")
        Path model;
        @Option(names = "--baseline-completions", paramLabel = "FILE",
                description = "JSONL of baseline completions: the prompt field plus completion (as generate writes) or output.")
        Path file;
    }

    @Override
    public Integer call() throws Exception {
        job.threads.apply();
        WinRate.Config cfg = WinRate.Config.defaults().withConfidence(confidence).withExamples(examples).withLengthRidge(lengthRidge)
                .withReferenceField(job.labels.references);
        if (numSamples < 1) throw new InputException("--num-samples must be at least 1, got " + numSamples);
        if (!(job.sampling.temperature >= 0)) throw new InputException("--temperature must be ≥ 0, got " + job.sampling.temperature);
        SamplingParams params = job.sampling.params(job.sampling.temperature > 0, numSamples, List.of(), List.of());
        if (job.sampling.temperature == 0 && numSamples > 1) throw new InputException("--num-samples > 1 needs --temperature > 0");
        Labeller labeller = job.labels.parse(label, job.sampling.seed, false);
        Samples policy = Sampling.draw(Policy.load(job.policy), job.prompts, params, job.sampling.seed, job.sampling.batchSize, "winrate (policy)");
        List<List<Sample>> base;
        if (baseline.model != null) {
            // The baseline's own stream (seed + 1): a model compared with itself is not the same sample twice.
            base = WinRate.baseline(Sampling.draw(Policy.load(baseline.model), job.prompts, params, job.sampling.seed + 1,
                    job.sampling.batchSize, "winrate (baseline)"));
        } else {
            base = WinRate.baselineFile(baseline.file, policy);
        }
        WinRate.Result r = WinRate.compare(policy, base, labeller, cfg);
        ObjectMapper json = new ObjectMapper();
        ObjectNode summary = r.summary();
        summary.put("prompts", policy.prompts().size()).put("num_samples", numSamples);
        AtomicWrite.write(job.out, (json.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n").getBytes(StandardCharsets.UTF_8));
        if (html != null) AtomicWrite.write(html, r.html(cfg.examples()).getBytes(StandardCharsets.UTF_8));
        System.out.println(json.writeValueAsString(summary));
        System.err.printf(Locale.ROOT, "winrate: %d pairs by %s: %d wins, %d ties, %d losses → win rate %.4f [%.4f, %.4f] (%.0f%% Wilson), "
                        + "length-controlled %.4f%s → %s%n", r.pairs(), labeller.name(), r.wins(), r.ties(), r.losses(), r.winRate(),
                r.interval().low(), r.interval().high(), 100 * confidence, r.lengthControlledWinRate(),
                Double.isNaN(r.firstPositionRate()) ? "" : String.format(Locale.ROOT, "; judge picks the first position %.3f of the time",
                        r.firstPositionRate()), job.out);
        return 0;
    }
}
