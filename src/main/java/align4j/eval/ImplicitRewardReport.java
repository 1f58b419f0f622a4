package align4j.eval;

import align4j.InputException;
import align4j.data.Pairs;
import align4j.io.AtomicWrite;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import align4j.report.RewardHeatmap;
import align4j.text.TokenPieces;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a DPO policy's implicit reward comes from, per token ({@code align4j explain}): for each preference pair,
 * r_t = β·log π(y_t|x,y_&lt;t)/π_ref(y_t|x,y_&lt;t) of every chosen and rejected token ({@link TokenRewards}), written
 * as a JSONL line per pair (ids, token texts, rewards, both log-probs, the totals and their margin) and as an
 * HTML heat map ({@link RewardHeatmap}). The per-completion totals are the DPO implicit rewards.
 *
 * <pre>{@code
 * ImplicitRewardReport r = ImplicitRewardReport.load(Path.of("dpo-out"), Path.of("sft-out"));
 * Summary s = r.write(pairs, tokenizer, Settings.defaults(), Path.of("report.html"), Path.of("report.jsonl"));
 * }</pre>
 */
public final class ImplicitRewardReport {
    /**
     * How to score.
     *
     * @param beta      β of the implicit reward, positive
     * @param limit     only the first limit pairs (0: all)
     * @param maxTokens packed tokens per forward pass (a longer pair runs alone)
     */
    public record Settings(double beta, int limit, int maxTokens) {
        public Settings {
            if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("--beta must be a positive number, got " + beta);
            if (limit < 0) throw new InputException("--limit must be ≥ 0, got " + limit);
        }

        /** β 0.1 (TRL's DPO default), every pair, 16384 tokens per pass. */
        public static Settings defaults() {
            return new Settings(0.1, 0, 16384);
        }
    }

    /** Means over the pairs scored, as TRL logs them: rewards/chosen, rewards/rejected, rewards/accuracies. */
    public record Summary(int pairs, double rewardsChosen, double rewardsRejected, double accuracy) {}

    private static final String[] LABELS = {"chosen", "rejected"};

    private final Transformer policy, ref;
    private final String policyName, refName;

    /** The two models (same vocabulary) and the names the page's summary line gives them. */
    public ImplicitRewardReport(Transformer policy, Transformer ref, String policyName, String refName) {
        if (policy.cfg.vocabSize() != ref.cfg.vocabSize()) {
            throw new InputException(refName + ": vocab_size " + ref.cfg.vocabSize() + " differs from the policy's "
                    + policy.cfg.vocabSize() + "; the reference must share the policy's tokenizer");
        }
        this.policy = policy;
        this.ref = ref;
        this.policyName = policyName;
        this.refName = refName;
    }

    /** The policy and the reference from Hugging Face model folders. */
    public static ImplicitRewardReport load(Path policyDir, Path refDir) throws IOException {
        LoadedModel pm = HfModel.load(policyDir), rm = HfModel.load(refDir);
        return new ImplicitRewardReport(new Transformer(pm.config(), pm.tensors()), new Transformer(rm.config(), rm.tensors()),
                policyDir.toString(), refDir.toString());
    }

    /** The policy's vocab_size, which the pairs' token ids must respect. */
    public int vocabSize() {
        return policy.cfg.vocabSize();
    }

    /** {@link #write(Pairs, Tokenizer, Settings, Path, Path)} with the tokenizer of tokenizerDir, if it has a tokenizer.json. */
    public Summary write(Pairs pairs, Path tokenizerDir, Settings settings, Path html, Path jsonl) throws IOException {
        if (tokenizerDir == null || !Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
            return write(pairs, (Tokenizer) null, settings, html, jsonl);
        }
        try (Tokenizer tok = Tokenizer.load(tokenizerDir)) {
            return write(pairs, tok, settings, html, jsonl);
        }
    }

    /**
     * Scores the pairs (the first settings.limit()) and writes the heat map to html and one JSON object per pair to
     * jsonl. Token texts come from tokenizer; with none, tokens show as their ids and prompts as their length.
     */
    public Summary write(Pairs pairs, Tokenizer tokenizer, Settings settings, Path html, Path jsonl) throws IOException {
        int n = settings.limit() > 0 ? Math.min(settings.limit(), pairs.size()) : pairs.size();
        int[][] prompts = new int[2 * n][], completions = new int[2 * n][];
        for (int i = 0; i < n; i++) {
            prompts[2 * i] = prompts[2 * i + 1] = pairs.prompts()[i];
            completions[2 * i] = pairs.chosen()[i];
            completions[2 * i + 1] = pairs.rejected()[i];
        }
        TokenRewards.Sequence[] seqs = TokenRewards.compute(policy, ref, settings.beta(), prompts, completions,
                Math.max(1, settings.maxTokens()));

        ObjectMapper om = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        List<RewardHeatmap.Example> examples = new ArrayList<>(n);
        int accurate = 0;
        double sumChosen = 0, sumRejected = 0;
        for (int i = 0; i < n; i++) {
            ObjectNode rec = om.createObjectNode();
            rec.put("index", i);
            rec.put("source", pairs.sources()[i]);
            String promptText = tokenizer == null ? pairs.prompts()[i].length + " prompt tokens"
                    : tokenizer.decode(pairs.prompts()[i], false);
            rec.put("prompt", promptText);
            List<RewardHeatmap.Row> rows = new ArrayList<>(2);
            for (int k = 0; k < 2; k++) rows.add(completion(rec, LABELS[k], seqs[2 * i + k], tokenizer));
            double margin = rows.get(0).total() - rows.get(1).total();
            rec.put("margin", margin);
            lines.append(om.writeValueAsString(rec)).append('\n');
            sumChosen += rows.get(0).total();
            sumRejected += rows.get(1).total();
            if (margin > 0) accurate++;
            examples.add(new RewardHeatmap.Example(String.format(Locale.ROOT, "#%d (%s): margin %+.4f", i,
                    pairs.sources()[i], margin), promptText, rows));
        }
        Summary s = new Summary(n, sumChosen / n, sumRejected / n, (double) accurate / n);
        double scale = RewardHeatmap.maxAbs(examples);
        String summary = String.format(Locale.ROOT, "policy %s, reference %s, β = %s, %d pairs: mean rewards/chosen %.4f, "
                        + "rewards/rejected %.4f, rewards/accuracies %.3f. Colour: red < 0 < blue, ±%.4f; hover a token for its value.",
                policyName, refName, settings.beta(), n, s.rewardsChosen(), s.rewardsRejected(), s.accuracy(), scale);
        AtomicWrite.write(html, RewardHeatmap.render("Per-token implicit rewards", summary, examples, scale)
                .getBytes(StandardCharsets.UTF_8));
        AtomicWrite.write(jsonl, lines.toString().getBytes(StandardCharsets.UTF_8));
        return s;
    }

    /** One completion's per-token arrays and total into rec (keys prefixed by label), and its heat-map row. */
    private static RewardHeatmap.Row completion(ObjectNode rec, String label, TokenRewards.Sequence s, Tokenizer tokenizer) {
        String[] pieces = TokenPieces.of(tokenizer, s.tokens());
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
        rec.put(label + "_reward", s.total());
        return new RewardHeatmap.Row(label, toks, s.total());
    }

    /** The JSONL file beside an HTML page: report.html → report.jsonl. */
    public static Path jsonlBeside(Path html) {
        String name = html.getFileName().toString();
        String base = name.endsWith(".html") ? name.substring(0, name.length() - 5) : name;
        return html.resolveSibling(base + ".jsonl");
    }
}
