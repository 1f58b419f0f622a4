package align4j.api;

import align4j.InputException;
import align4j.data.DatasetException;
import align4j.data.PromptFile;
import align4j.data.RecordLocation;
import align4j.eval.LengthControlledWinRate;
import align4j.eval.Labeller;
import align4j.eval.Sample;
import align4j.eval.WilsonInterval;
import align4j.report.WinRatePage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The win rate of a policy against a baseline on the same prompts: completion j of the policy is compared with
 * completion j of the baseline (another model's samples, {@link #baseline(Samples)}, or a file of completions,
 * {@link #baselineFile}). A pointwise labeller (a reward model, a reward function) compares the two scores (the higher
 * wins, equal scores tie). The pairwise judge sees each pair in both orders, policy first and baseline first, with no
 * shuffling: agreeing verdicts are a win or a loss, verdicts that follow the position are a tie, and how often the
 * judge picks the first position is its position bias (½ for an unbiased judge).
 *
 * <p>The win rate counts ties half, (wins + ties/2)/n, with the Wilson score interval ({@link WilsonInterval}) at the
 * configured confidence; the length-controlled win rate is {@link LengthControlledWinRate} on the same judgements, with
 * lengths in characters (tokens when a completion has no text).
 */
public final class WinRate {
    private WinRate() {}

    /**
     * @param confidence     of the Wilson interval (0.95)
     * @param examples       example pairs on the HTML page (5)
     * @param lengthRidge    λ of the length-controlled fit's slope penalty (0: plain maximum likelihood)
     * @param referenceField each prompt record's field holding a reference completion (reference functions), or null
     */
    public record Config(double confidence, int examples, double lengthRidge, String referenceField) {
        public Config {
            if (!(confidence > 0 && confidence < 1)) throw new InputException("confidence must be in (0, 1), got " + confidence);
            if (examples < 0) throw new InputException("examples must be ≥ 0, got " + examples);
            if (!(lengthRidge >= 0)) throw new InputException("length ridge must be ≥ 0, got " + lengthRidge);
        }

        public static Config defaults() {
            return new Config(0.95, 5, 0, null);
        }

        public Config withConfidence(double c) {
            return new Config(c, examples, lengthRidge, referenceField);
        }

        public Config withExamples(int e) {
            return new Config(confidence, e, lengthRidge, referenceField);
        }

        public Config withLengthRidge(double r) {
            return new Config(confidence, examples, r, referenceField);
        }

        public Config withReferenceField(String f) {
            return new Config(confidence, examples, lengthRidge, f);
        }
    }

    /**
     * One compared pair: prompt i, sample j, the texts, lengths, the outcome for the policy (1 win, ½ tie, 0 loss, NaN
     * no valid verdict), the two scores (pointwise; else NaN) and the judge's verdicts (index of the preferred position,
     * policy-first order then baseline-first order; −1 invalid, −2 not judged).
     */
    public record Judgement(int prompt, int sample, String promptText, String policy, String baseline, double policyLength,
                            double baselineLength, double outcome, double policyScore, double baselineScore, int policyFirstVerdict,
                            int baselineFirstVerdict) {
        /** A judgement from an outcome and lengths alone (synthetic judges, tests). */
        public static Judgement of(double outcome, double policyLength, double baselineLength) {
            return new Judgement(0, 0, "", "", "", policyLength, baselineLength, outcome, Double.NaN, Double.NaN, -2, -2);
        }
    }

    /**
     * The counts over valid judgements, the win rate and its interval, the judge's rate of picking the first position and
     * of agreeing with itself across orders (NaN for a pointwise labeller), the length-controlled fit and mean lengths.
     */
    public record Result(String labeller, List<Judgement> judgements, int wins, int ties, int losses, int invalid, double winRate,
                         WilsonInterval interval, double confidence, double firstPositionRate, double orderAgreement,
                         LengthControlledWinRate.Fit lengthControlled, double meanLengthPolicy, double meanLengthBaseline) {
        public int pairs() {
            return wins + ties + losses;
        }

        public double lengthControlledWinRate() {
            return lengthControlled.winRate();
        }

        /** The JSON summary (winrate.json). */
        public ObjectNode summary() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("labeller", labeller).put("pairs", pairs()).put("wins", wins).put("ties", ties).put("losses", losses)
                    .put("invalid", invalid).put("win_rate", winRate).put("interval", "wilson").put("confidence", confidence)
                    .put("win_rate_ci_low", interval.low()).put("win_rate_ci_high", interval.high())
                    .put("length_controlled_win_rate", lengthControlledWinRate()).put("lc_intercept", lengthControlled.intercept())
                    .put("lc_slope", lengthControlled.slope()).put("lc_length_scale", lengthControlled.scale())
                    .put("lc_converged", lengthControlled.converged()).put("mean_length_policy", meanLengthPolicy)
                    .put("mean_length_baseline", meanLengthBaseline).put("length_unit", "characters");
            if (Double.isNaN(firstPositionRate)) {
                o.putNull("position_bias");
            } else {
                o.putObject("position_bias").put("first_position_rate", firstPositionRate).put("order_agreement", orderAgreement);
            }
            return o;
        }

        /** The HTML page: the summary as a table and up to {@code examples} pairs, spread over the prompts. */
        public String html(int examples) {
            List<WinRatePage.Row> rows = new ArrayList<>();
            rows.add(new WinRatePage.Row("labeller", labeller));
            rows.add(new WinRatePage.Row("pairs (wins / ties / losses)", pairs() + " (" + wins + " / " + ties + " / " + losses + ")"
                    + (invalid > 0 ? ", " + invalid + " without a valid verdict" : "")));
            rows.add(new WinRatePage.Row("win rate (ties count half)", String.format(Locale.ROOT, "%.4f, %.0f%% Wilson interval [%.4f, %.4f]",
                    winRate, 100 * confidence, interval.low(), interval.high())));
            rows.add(new WinRatePage.Row("length-controlled win rate", String.format(Locale.ROOT,
                    "%.4f (σ(b₀) of P(win) = σ(b₀ + b₁·Δlen/%.1f), b₁ = %.3f%s)", lengthControlledWinRate(), lengthControlled.scale(),
                    lengthControlled.slope(), lengthControlled.converged() ? "" : ", not converged")));
            rows.add(new WinRatePage.Row("mean length (characters), policy / baseline",
                    String.format(Locale.ROOT, "%.1f / %.1f", meanLengthPolicy, meanLengthBaseline)));
            if (!Double.isNaN(firstPositionRate)) {
                rows.add(new WinRatePage.Row("judge picks the first position", String.format(Locale.ROOT, "%.4f (½ is unbiased)", firstPositionRate)));
                rows.add(new WinRatePage.Row("verdict unchanged when the order is swapped", String.format(Locale.ROOT, "%.4f", orderAgreement)));
            }
            List<WinRatePage.Example> ex = new ArrayList<>();
            List<Judgement> valid = judgements.stream().filter(j -> !Double.isNaN(j.outcome())).toList();
            int k = Math.min(examples, valid.size());
            for (int e = 0; e < k; e++) {
                Judgement j = valid.get((int) ((long) e * valid.size() / k));
                String verdict = j.outcome() == 1 ? "policy wins" : j.outcome() == 0 ? "baseline wins" : "tie";
                if (!Double.isNaN(j.policyScore())) verdict += String.format(Locale.ROOT, " (%.4f vs %.4f)", j.policyScore(), j.baselineScore());
                ex.add(new WinRatePage.Example("prompt " + (j.prompt() + 1) + ", sample " + (j.sample() + 1), nz(j.promptText()),
                        nz(j.policy()), nz(j.baseline()), verdict));
            }
            return WinRatePage.render("Win rate: policy vs baseline", "Each policy completion is compared with the baseline's "
                    + "completion of the same prompt by " + labeller + ".", rows, ex);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** The baseline's completions per prompt when it is another model sampled on the same prompt file. */
    public static List<List<Sample>> baseline(Samples baseline) {
        List<List<Sample>> out = new ArrayList<>(baseline.prompts().size());
        for (int i = 0; i < baseline.prompts().size(); i++) out.add(baseline.samples(i, null));
        return out;
    }

    /**
     * Baseline completions from a JSONL file, matched to the policy's prompts by the prompt field's value (as
     * {@code align4j generate} writes them: the prompt record plus {@code completion}, a string or
     * [{"role": "assistant", "content": …}]; {@code output} is read too, AlpacaEval's name), in file order.
     */
    public static List<List<Sample>> baselineFile(Path file, Samples policy) throws IOException {
        if (policy.tokenizer() == null) {
            throw new InputException(file + ": baseline completions are text, but the policy folder has no tokenizer.json");
        }
        if (!Files.isRegularFile(file)) throw new InputException(file + ": no such baseline completions file");
        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> byPrompt = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        String field = policy.prompts().isEmpty() ? "prompt" : policy.prompts().get(0).field();
        for (int l = 0; l < lines.size(); l++) {
            if (lines.get(l).isBlank()) continue;
            RecordLocation at = RecordLocation.line(file.toString(), l + 1);
            JsonNode o;
            try {
                o = json.readTree(lines.get(l));
            } catch (IOException e) {
                throw new DatasetException(at, null, "not JSON: " + e.getMessage());
            }
            JsonNode p = o.get(field);
            if (p == null) throw new DatasetException(at, field, "missing (the prompt file's prompt field)");
            JsonNode c = o.has("completion") ? o.get("completion") : o.get("output");
            String text;
            if (c != null && c.isTextual()) text = c.asText();
            else if (c != null && c.isArray() && !c.isEmpty() && c.get(c.size() - 1).path("content").isTextual()) {
                text = c.get(c.size() - 1).get("content").asText();
            } else {
                throw new DatasetException(at, "completion", "expected a string or a list of messages (or an output string)");
            }
            byPrompt.computeIfAbsent(p.toString(), x -> new ArrayList<>()).add(text);
        }
        List<List<Sample>> out = new ArrayList<>();
        for (int i = 0; i < policy.prompts().size(); i++) {
            PromptFile.Prompt p = policy.prompts().get(i);
            List<String> texts = byPrompt.getOrDefault(p.record().get(p.field()).toString(), List.of());
            String promptText = Samples.promptText(p, policy.tokenizer());
            List<Sample> s = new ArrayList<>();
            for (String t : texts) s.add(new Sample(promptText, p.ids(), t, policy.tokenizer().encode(t, false), null));
            out.add(s);
        }
        return out;
    }

    /** Compares completion j of each prompt of the policy with completion j of the baseline, j < policy.n(). */
    public static Result compare(Samples policy, List<List<Sample>> baseline, Labeller labeller, Config config) {
        if (labeller.readsText() && policy.tokenizer() == null) {
            throw new InputException("labeller " + labeller.name() + " reads text, but the policy folder has no tokenizer.json");
        }
        int m = policy.prompts().size(), n = policy.n();
        if (baseline.size() != m) throw new IllegalArgumentException(baseline.size() + " baseline prompts for " + m + " policy prompts");
        List<Sample> ps = new ArrayList<>(m * n), bs = new ArrayList<>(m * n);
        for (int i = 0; i < m; i++) {
            List<Sample> b = baseline.get(i);
            if (b.size() < n) {
                throw new InputException("prompt " + (i + 1) + " (" + policy.prompts().get(i).location() + "): " + b.size()
                        + " baseline completions, " + n + " needed (one per policy sample)");
            }
            ps.addAll(policy.samples(i, config.referenceField()));
            for (int j = 0; j < n; j++) {
                Sample s = b.get(j);
                bs.add(config.referenceField() == null ? s : new Sample(s.prompt(), s.promptIds(), s.completion(), s.completionIds(),
                        ps.get(ps.size() - n + j).reference()));
            }
        }
        List<Judgement> js = new ArrayList<>(m * n);
        if (labeller instanceof Labeller.Pointwise pw) {
            List<Sample> all = new ArrayList<>(ps);
            all.addAll(bs);
            double[] s;
            try {
                s = pw.scorer().score(all);
            } catch (InputException e) {
                throw new InputException("--label " + pw.name() + ": " + e.getMessage());
            }
            for (int k = 0; k < ps.size(); k++) {
                double a = s[k], b = s[ps.size() + k];
                double outcome = Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a > b ? 1 : a < b ? 0 : 0.5;
                js.add(judgement(k, n, ps.get(k), bs.get(k), outcome, a, b, -2, -2));
            }
        } else {
            Labeller.Pairwise pj = (Labeller.Pairwise) labeller;
            List<String> prompts = new ArrayList<>();
            List<String[]> first = new ArrayList<>(), second = new ArrayList<>();
            for (int k = 0; k < ps.size(); k++) {
                prompts.add(ps.get(k).prompt());
                first.add(new String[] {ps.get(k).completion(), bs.get(k).completion()});
                second.add(new String[] {bs.get(k).completion(), ps.get(k).completion()});
            }
            System.err.printf("winrate: judging %d pairs in both orders%n", ps.size());
            int[] v1 = pj.judge().judge(prompts, first), v2 = pj.judge().judge(prompts, second);
            for (int k = 0; k < ps.size(); k++) {
                double sum = 0;
                int valid = 0;
                if (v1[k] >= 0) {
                    sum += v1[k] == 0 ? 1 : 0;
                    valid++;
                }
                if (v2[k] >= 0) {
                    sum += v2[k] == 1 ? 1 : 0;
                    valid++;
                }
                js.add(judgement(k, n, ps.get(k), bs.get(k), valid == 0 ? Double.NaN : sum / valid, Double.NaN, Double.NaN, v1[k], v2[k]));
            }
        }
        return of(labeller.name(), js, config);
    }

    private static Judgement judgement(int k, int n, Sample p, Sample b, double outcome, double ps, double bs, int v1, int v2) {
        return new Judgement(k / n, k % n, p.prompt(), p.completion(), b.completion(), length(p), length(b), outcome, ps, bs, v1, v2);
    }

    /** A completion's length: characters of its text, or its token count when it has no text. */
    static double length(Sample s) {
        if (s.completion() != null) return s.completion().length();
        return s.completionIds() == null ? 0 : s.completionIds().length;
    }

    /** The statistics of judgements (those with a NaN outcome counted invalid and left out). */
    public static Result of(String labeller, List<Judgement> judgements, Config config) {
        int wins = 0, ties = 0, losses = 0, invalid = 0, first = 0, verdicts = 0, agree = 0, bothValid = 0;
        List<Double> y = new ArrayList<>(), d = new ArrayList<>();
        double lenP = 0, lenB = 0;
        for (Judgement j : judgements) {
            if (j.policyFirstVerdict() >= 0) {
                verdicts++;
                if (j.policyFirstVerdict() == 0) first++;
            }
            if (j.baselineFirstVerdict() >= 0) {
                verdicts++;
                if (j.baselineFirstVerdict() == 0) first++;
            }
            if (j.policyFirstVerdict() >= 0 && j.baselineFirstVerdict() >= 0) {
                bothValid++;
                if (j.policyFirstVerdict() != j.baselineFirstVerdict()) agree++; // the same completion both times
            }
            double o = j.outcome();
            if (Double.isNaN(o)) {
                invalid++;
                continue;
            }
            if (!(o >= 0 && o <= 1)) throw new IllegalArgumentException("outcome " + o + " is not in [0, 1]");
            if (o == 1) wins++;
            else if (o == 0) losses++;
            else ties++;
            y.add(o);
            d.add(j.policyLength() - j.baselineLength());
            lenP += j.policyLength();
            lenB += j.baselineLength();
        }
        int n = y.size();
        if (n == 0) throw new InputException("winrate: no pair got a valid verdict (" + invalid + " invalid)");
        double sum = 0;
        double[] ya = new double[n], da = new double[n];
        for (int i = 0; i < n; i++) {
            ya[i] = y.get(i);
            da[i] = d.get(i);
            sum += ya[i];
        }
        double rate = sum / n;
        WilsonInterval ci = WilsonInterval.of(rate, n, WilsonInterval.z(config.confidence()));
        LengthControlledWinRate.Fit fit = LengthControlledWinRate.fit(ya, da, config.lengthRidge());
        return new Result(labeller, List.copyOf(judgements), wins, ties, losses, invalid, rate, ci, config.confidence(),
                verdicts == 0 ? Double.NaN : first / (double) verdicts, bothValid == 0 ? Double.NaN : agree / (double) bothValid, fit,
                lenP / n, lenB / n);
    }
}
