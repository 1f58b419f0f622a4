package align4j.api;

import align4j.InputException;
import align4j.data.Pairing;
import align4j.data.PromptFile;
import align4j.data.ScoredPairs;
import align4j.eval.Labeller;
import align4j.eval.Sample;
import align4j.generate.Generation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * On-policy preference data: K samples of the policy per prompt ({@link Sampling#draw}),
 * labelled pointwise (scores → pairs by {@link ScoredPairs}, optionally one Bradley–Terry draw per pair) or by a
 * pairwise judge (every pair of a prompt judged; best_vs_worst ranks by wins), written as the TRL records
 * {@code align4j dpo} reads, with {@code chosen_score} and {@code rejected_score}. Empty completions and repeats of a
 * prompt's text are dropped before labelling: a pair needs two different completions.
 */
public final class Collect {
    private Collect() {}

    /**
     * @param pairing        all_pairs (every pair with different labels) or best_vs_worst
     * @param bradleyTerry   draw each pair's label from P(a ≻ b) = σ((s_a − s_b)/T) instead of taking the higher score
     * @param btTemperature  T of bradleyTerry
     * @param referenceField each prompt record's field holding a reference completion (BLEU, ROUGE-L), or null
     * @param seed           seed of the Bradley–Terry draws
     * @param listwise       write one ranking per prompt instead of pairs: {@code prompt}, {@code completions} best first,
     *                       {@code ranking} (1 the best; equal labels share a rank) and {@code scores}; with bradleyTerry
     *                       the order is drawn from the Plackett–Luce model with utilities s/T (the Gumbel-max trick:
     *                       sort s/T + Gumbel noise), which for two completions is the Bradley–Terry draw
     */
    public record Config(Pairing pairing, boolean bradleyTerry, double btTemperature, String referenceField, long seed,
                         boolean listwise) {
        public Config {
            if (bradleyTerry && !(btTemperature > 0)) throw new InputException("--bt-temperature must be > 0, got " + btTemperature);
        }

        /** Pairs (not rankings). */
        public Config(Pairing pairing, boolean bradleyTerry, double btTemperature, String referenceField, long seed) {
            this(pairing, bradleyTerry, btTemperature, referenceField, seed, false);
        }
    }

    /**
     * The pairs (or rankings) as records, and counts: prompts, completions dropped (empty or repeated), judge answers invalid; the
     * mean score gap of the pairs (best − worst for rankings; NaN for a judge or no records).
     */
    public record Result(List<ObjectNode> records, int prompts, int dropped, int invalid, double meanGap) {}

    /** Settings that cannot work together, found before any sampling. */
    public static void validate(Labeller labeller, Config config) {
        if (config.bradleyTerry() && labeller instanceof Labeller.Pairwise) {
            throw new InputException("--bradley-terry needs pointwise scores; --label judge already gives pairwise labels");
        }
    }

    /** Labels the samples and pairs them. */
    public static Result label(Samples samples, Labeller labeller, Config config) {
        validate(labeller, config);
        if (labeller.readsText() && samples.tokenizer() == null) {
            throw new InputException("labeller " + labeller.name() + " reads text, but the policy folder has no tokenizer.json");
        }
        int n = samples.prompts().size(), dropped = 0;
        List<List<Integer>> kept = new ArrayList<>(n);
        List<List<Sample>> perPrompt = new ArrayList<>(n);
        List<Sample> flat = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Sample> s = samples.samples(i, config.referenceField());
            perPrompt.add(s);
            List<Integer> k = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < s.size(); j++) {
                Generation g = samples.get(i, j);
                String key = g.text() != null ? g.text() : Arrays.toString(g.tokenIds());
                boolean empty = g.text() != null ? g.text().isBlank() : g.tokenIds().length == 0;
                if (!empty && seen.add(key)) {
                    k.add(j);
                    flat.add(s.get(j));
                } else {
                    dropped++;
                }
            }
            kept.add(k);
        }
        Result r = labeller instanceof Labeller.Pointwise pw ? pointwise(samples, pw, config, kept, flat)
                : pairwise(samples, (Labeller.Pairwise) labeller, config, kept, perPrompt);
        return new Result(r.records(), n, dropped, r.invalid(), r.meanGap());
    }

    private static Result pointwise(Samples d, Labeller.Pointwise pw, Config config, List<List<Integer>> kept, List<Sample> flat) {
        List<ObjectNode> out = new ArrayList<>();
        double gap = 0;
        SplittableRandom rng = new SplittableRandom(config.seed());
        double[] all;
        try {
            all = pw.scorer().score(flat);
        } catch (InputException e) {
            throw new InputException("--label " + pw.name() + ": " + e.getMessage());
        }
        int off = 0;
        for (int i = 0; i < kept.size(); i++) {
            List<Integer> k = kept.get(i);
            double[] s = Arrays.copyOfRange(all, off, off + k.size());
            off += k.size();
            if (config.listwise()) {
                ObjectNode rec = ranking(d, i, k, config.bradleyTerry() ? gumbel(s, config.btTemperature(), rng) : s, s);
                if (rec != null) {
                    out.add(rec);
                    gap += max(s) - min(s);
                }
                continue;
            }
            List<ScoredPairs.Pair> ps = config.bradleyTerry() ? ScoredPairs.sampled(s, config.pairing(), config.btTemperature(), rng)
                    : ScoredPairs.of(s, config.pairing());
            for (ScoredPairs.Pair p : ps) {
                out.add(record(d, i, k.get(p.chosen()), k.get(p.rejected()), s[p.chosen()], s[p.rejected()]));
                gap += s[p.chosen()] - s[p.rejected()];
            }
        }
        return new Result(out, kept.size(), 0, 0, out.isEmpty() ? Double.NaN : gap / out.size());
    }

    private static Result pairwise(Samples d, Labeller.Pairwise pj, Config config, List<List<Integer>> kept,
                                   List<List<Sample>> samples) {
        Pairing pairing = config.listwise() ? null : config.pairing();
        int n = kept.size(), invalid = 0;
        List<String> jp = new ArrayList<>();
        List<String[]> jc = new ArrayList<>();
        List<int[]> which = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> k = kept.get(i);
            for (int a = 0; a < k.size(); a++) {
                for (int b = a + 1; b < k.size(); b++) {
                    jp.add(samples.get(i).get(k.get(a)).prompt());
                    jc.add(new String[] {samples.get(i).get(k.get(a)).completion(), samples.get(i).get(k.get(b)).completion()});
                    which.add(new int[] {i, a, b});
                }
            }
        }
        System.err.printf("collect: judging %d pairs%n", jp.size());
        int[] verdicts = pj.judge().judge(jp, jc);
        // Wins per kept completion: best_vs_worst ranks by them; all_pairs writes each verdict.
        double[][] wins = new double[n][];
        for (int i = 0; i < n; i++) wins[i] = new double[kept.get(i).size()];
        for (int v = 0; v < verdicts.length; v++) {
            int[] w = which.get(v);
            if (verdicts[v] < 0) invalid++;
            else wins[w[0]][verdicts[v] == 0 ? w[1] : w[2]]++;
        }
        List<ObjectNode> out = new ArrayList<>();
        for (int v = 0; v < verdicts.length && pairing == Pairing.ALL_PAIRS; v++) {
            if (verdicts[v] < 0) continue;
            int[] w = which.get(v);
            int c = verdicts[v] == 0 ? w[1] : w[2], r = verdicts[v] == 0 ? w[2] : w[1];
            List<Integer> k = kept.get(w[0]);
            out.add(record(d, w[0], k.get(c), k.get(r), wins[w[0]][c], wins[w[0]][r]));
        }
        for (int i = 0; i < n && pairing == Pairing.BEST_VS_WORST; i++) {
            for (ScoredPairs.Pair p : ScoredPairs.of(wins[i], pairing)) {
                List<Integer> k = kept.get(i);
                out.add(record(d, i, k.get(p.chosen()), k.get(p.rejected()), wins[i][p.chosen()], wins[i][p.rejected()]));
            }
        }
        for (int i = 0; i < n && config.listwise(); i++) {
            ObjectNode rec = ranking(d, i, kept.get(i), wins[i], wins[i]);
            if (rec != null) out.add(rec);
        }
        return new Result(out, n, 0, invalid, Double.NaN);
    }

    /**
     * One prompt's kept completions as a listwise record ranked by keys (descending, ties in sampled order), with
     * their labels; null when fewer than two completions or all labels are equal (nothing to rank).
     */
    private static ObjectNode ranking(Samples d, int i, List<Integer> kept, double[] keys, double[] labels) {
        PromptFile.Prompt p = d.prompts().get(i);
        if (p.field().equals("prompt_input_ids")) {
            throw new InputException("collect --listwise writes text records; the prompts are pre-tokenized (prompt_input_ids)");
        }
        if (kept.size() < 2 || max(labels) == min(labels)) return null;
        Integer[] order = new Integer[kept.size()];
        for (int j = 0; j < order.length; j++) order[j] = j;
        Arrays.sort(order, (a, b) -> Double.compare(keys[b], keys[a]));
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("prompt", p.record().get(p.field()));
        ArrayNode completions = o.putArray("completions"), ranking = o.putArray("ranking"), scores = o.putArray("scores");
        for (int r = 0; r < order.length; r++) {
            completions.add(completion(d.get(i, kept.get(order[r])).text(), p.conversational()));
            int rank = 1;
            for (int q = 0; q < r; q++) if (keys[order[q]] > keys[order[r]]) rank++;
            ranking.add(rank);
            scores.add(labels[order[r]]);
        }
        return o;
    }

    /** A Plackett–Luce sample of the order of utilities s/T: the keys s/T + Gumbel(0, 1) (Gumbel-max trick). */
    private static double[] gumbel(double[] s, double temperature, SplittableRandom rng) {
        double[] k = new double[s.length];
        for (int j = 0; j < k.length; j++) k[j] = s[j] / temperature - Math.log(-Math.log(1 - rng.nextDouble()));
        return k;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    /** A TRL standard record (text prompts) or a pre-tokenized one (prompt_input_ids prompts), with the scores. */
    private static ObjectNode record(Samples d, int i, int chosen, int rejected, double cs, double rs) {
        PromptFile.Prompt p = d.prompts().get(i);
        Generation c = d.get(i, chosen), r = d.get(i, rejected);
        if (p.field().equals("prompt_input_ids")) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            ids(o.putArray("prompt_input_ids"), p.ids());
            ids(o.putArray("chosen_input_ids"), c.tokenIds());
            ids(o.putArray("rejected_input_ids"), r.tokenIds());
            o.put("chosen_score", cs);
            o.put("rejected_score", rs);
            return o;
        }
        JsonNode prompt = p.record().get(p.field());
        return ScoredPairs.record(prompt, completion(c.text(), p.conversational()), completion(r.text(), p.conversational()), cs, rs);
    }

    /** TRL's shapes: a string, or for a conversational prompt [{"role": "assistant", "content": …}]. */
    private static JsonNode completion(String text, boolean conversational) {
        if (!conversational) return TextNode.valueOf(text);
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        a.addObject().put("role", "assistant").put("content", text);
        return a;
    }

    private static void ids(ArrayNode a, int[] ids) {
        for (int id : ids) a.add(id);
    }
}
