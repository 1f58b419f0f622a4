package align4j.cli;

import align4j.data.PreferenceData;
import align4j.InputException;
import align4j.eval.TokenRewards;
import align4j.io.AtomicWrite;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import align4j.report.RewardHeatmap;
import align4j.text.TokenPieces;
import align4j.text.Tokenizer;
import align4j.data.Pairs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j explain}: where in a completion a DPO policy's implicit reward comes from. Per token,
 * r_t = β·log π(y_t|x,y_&lt;t)/π_ref(y_t|x,y_&lt;t) ({@link TokenRewards}); the HTML heat map colours each token by
 * r_t and a JSONL file holds the values. The per-completion totals are the DPO implicit rewards.
 */
@Command(name = "explain", description = "Per-token implicit rewards β·log π/π_ref of preference pairs, as an HTML heat map and JSONL.")
final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The trained policy (Hugging Face folder).")
    Path policy;
    @Option(names = {"--ref-model", "--ref"}, required = true, paramLabel = "DIR", description = "The reference model.")
    Path refModel;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference records (JSONL, JSON, Parquet).")
    Path data;
    @Option(names = "--beta", defaultValue = "0.1", description = "β of the implicit reward (default ${DEFAULT-VALUE}).")
    double beta;
    @Option(names = "--out", defaultValue = "report.html", paramLabel = "FILE", description = "The HTML heat map (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--jsonl", paramLabel = "FILE", description = "Per-token values (default: --out with .jsonl instead of .html).")
    Path jsonl;
    @Option(names = "--limit", defaultValue = "0", description = "Only the first N pairs (0: all).")
    int limit;
    @Option(names = "--max-tokens", defaultValue = "16384", description = "Packed tokens per forward pass (default ${DEFAULT-VALUE}).")
    int maxTokens;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("--beta must be a positive number, got " + beta);
        if (limit < 0) throw new InputException("--limit must be ≥ 0, got " + limit);
        LoadedModel pm = HfModel.load(policy);
        LoadedModel rm = HfModel.load(refModel);
        if (pm.config().vocabSize() != rm.config().vocabSize()) {
            throw new InputException(refModel + ": vocab_size " + rm.config().vocabSize() + " differs from the policy's "
                    + pm.config().vocabSize() + "; the reference must share the policy's tokenizer");
        }
        PreferenceData loaded = dataOptions.load(data, policy, pm.config().vocabSize());
        Pairs pairs = loaded.pairs();
        int n = limit > 0 ? Math.min(limit, pairs.size()) : pairs.size();
        int[][] prompts = new int[2 * n][], completions = new int[2 * n][];
        for (int i = 0; i < n; i++) {
            prompts[2 * i] = prompts[2 * i + 1] = pairs.prompts()[i];
            completions[2 * i] = pairs.chosen()[i];
            completions[2 * i + 1] = pairs.rejected()[i];
        }
        TokenRewards.Sequence[] seqs = TokenRewards.compute(new Transformer(pm.config(), pm.tensors()),
                new Transformer(rm.config(), rm.tensors()), beta, prompts, completions, Math.max(1, maxTokens));

        Path tokDir = dataOptions.tokenizer != null ? dataOptions.tokenizer : policy;
        Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        ObjectMapper om = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        List<RewardHeatmap.Example> examples = new ArrayList<>(n);
        int accurate = 0;
        double sumChosen = 0, sumRejected = 0;
        for (int i = 0; i < n; i++) {
            ObjectNode rec = om.createObjectNode();
            rec.put("index", i);
            rec.put("source", pairs.sources()[i]);
            String promptText = tok == null ? pairs.prompts()[i].length + " prompt tokens"
                    : tok.decode(pairs.prompts()[i], false);
            rec.put("prompt", promptText);
            List<RewardHeatmap.Row> rows = new ArrayList<>(2);
            double[] totals = new double[2];
            for (int k = 0; k < 2; k++) {
                String label = k == 0 ? "chosen" : "rejected";
                TokenRewards.Sequence s = seqs[2 * i + k];
                String[] pieces = TokenPieces.of(tok, s.tokens());
                List<RewardHeatmap.Token> toks = new ArrayList<>();
                ArrayNode ids = rec.putArray(label + "_tokens"), texts = rec.putArray(label + "_token_texts"),
                        rewards = rec.putArray(label + "_token_rewards"), lp = rec.putArray(label + "_token_logps"),
                        lr = rec.putArray(label + "_token_ref_logps");
                for (int t = s.first(); t < s.tokens().length; t++) {
                    int j = t - s.first();
                    ids.add(s.tokens()[t]);
                    texts.add(pieces[t]);
                    rewards.add(s.rewards()[j]);
                    lp.add(s.policyLogps()[j]);
                    lr.add(s.refLogps()[j]);
                    toks.add(new RewardHeatmap.Token(pieces[t], s.rewards()[j]));
                }
                totals[k] = s.total();
                rec.put(label + "_reward", totals[k]);
                rows.add(new RewardHeatmap.Row(label, toks, totals[k]));
            }
            rec.put("margin", totals[0] - totals[1]);
            lines.append(om.writeValueAsString(rec)).append('\n');
            sumChosen += totals[0];
            sumRejected += totals[1];
            if (totals[0] > totals[1]) accurate++;
            examples.add(new RewardHeatmap.Example(String.format(Locale.ROOT, "#%d (%s): margin %+.4f", i,
                    pairs.sources()[i], totals[0] - totals[1]), promptText, rows));
        }
        if (tok != null) tok.close();
        String summary = String.format(Locale.ROOT, "policy %s, reference %s, β = %s, %d pairs: mean rewards/chosen %.4f, "
                        + "rewards/rejected %.4f, rewards/accuracies %.3f. Colour: red < 0 < blue, ±%.4f; hover a token for its value.",
                policy, refModel, beta, n, sumChosen / n, sumRejected / n, (double) accurate / n, RewardHeatmap.maxAbs(examples));
        String html = RewardHeatmap.render("Per-token implicit rewards", summary, examples, RewardHeatmap.maxAbs(examples));
        Path jsonOut = jsonl != null ? jsonl : siblingJsonl(out);
        AtomicWrite.write(out, html.getBytes(StandardCharsets.UTF_8));
        AtomicWrite.write(jsonOut, lines.toString().getBytes(StandardCharsets.UTF_8));
        System.err.printf(Locale.ROOT, "explain: %d pairs → %s, %s (rewards/chosen %.4f, rewards/rejected %.4f)%n",
                n, out, jsonOut, sumChosen / n, sumRejected / n);
        return 0;
    }

    private static Path siblingJsonl(Path html) {
        String name = html.getFileName().toString();
        String base = name.endsWith(".html") ? name.substring(0, name.length() - 5) : name;
        return html.resolveSibling(base + ".jsonl");
    }
}
