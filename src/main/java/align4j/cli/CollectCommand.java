package align4j.cli;

import align4j.InputException;
import align4j.data.Pairing;
import align4j.data.ScoredPairs;
import align4j.eval.Sample;
import align4j.generate.Generation;
import align4j.io.AtomicWrite;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j collect}: on-policy preference data. K completions per prompt are sampled from the policy,
 * labelled (a reward model, a named function, BLEU/ROUGE-L against a reference, or an LLM judge) and turned into
 * pairs ({@link ScoredPairs}), written as TRL-format JSONL that {@code align4j dpo} reads.
 */
@Command(name = "collect", description = "Sample K completions per prompt, label them, write preference pairs (JSONL for dpo).")
final class CollectCommand implements Callable<Integer> {
    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "The model to sample from.")
    Path policy;
    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL records with prompt, messages or prompt_input_ids.")
    Path prompts;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: prompt, chosen, rejected, chosen_score, rejected_score.")
    Path out;
    @Option(names = "--num-samples", defaultValue = "4", description = "Completions per prompt, K ≥ 2 (default ${DEFAULT-VALUE}).")
    int numSamples;
    @Option(names = "--label", required = true, paramLabel = "SPEC", description = "reward-model:DIR, function:NAME, bleu, rouge-l or judge.")
    String label;
    @Option(names = "--pairs", defaultValue = "all", description = "all (every pair with different labels) or best-worst (default ${DEFAULT-VALUE}).")
    String pairs;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (numSamples < 2) throw new InputException("--num-samples must be at least 2 to make pairs, got " + numSamples);
        sampling.check(numSamples, "--num-samples");
        Pairing pairing = switch (pairs.toLowerCase(Locale.ROOT)) {
            case "all", "all_pairs", "all-pairs" -> Pairing.ALL_PAIRS;
            case "best-worst", "best_vs_worst", "best-vs-worst" -> Pairing.BEST_VS_WORST;
            default -> throw new InputException("--pairs must be all or best-worst, got '" + pairs + "'");
        };
        if (bradleyTerry && !(btTemperature > 0)) throw new InputException("--bt-temperature must be > 0, got " + btTemperature);
        LabelOptions.Labeller labeller = labelOptions.parse(label, sampling.seed);
        if (bradleyTerry && labeller instanceof LabelOptions.Pairwise) {
            throw new InputException("--bradley-terry needs pointwise scores; --label judge already gives pairwise labels");
        }
        SamplingOptions.Drawn d = sampling.draw(policy, prompts, numSamples, "collect");

        // Completions that can be a side of a pair: non-empty, and each distinct text once per prompt.
        int n = d.prompts().size(), dropped = 0;
        List<List<Integer>> kept = new ArrayList<>(n);
        List<Sample> flat = new ArrayList<>();
        List<List<Sample>> samples = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<Sample> s = labelOptions.samples(d, i);
            samples.add(s);
            List<Integer> k = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < s.size(); j++) {
                Generation g = d.get(i, j);
                String key = g.text() != null ? g.text() : java.util.Arrays.toString(g.tokenIds());
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
        if (labeller instanceof LabelOptions.Pointwise && !labeller.name().equals("reward-model") || labeller instanceof LabelOptions.Pairwise) {
            if (d.tokenizer() == null) throw new InputException(policy + ": --label " + label + " reads text, but the policy folder has no tokenizer.json");
        }

        StringBuilder lines = new StringBuilder();
        int written = 0, invalid = 0;
        double gap = 0;
        SplittableRandom rng = new SplittableRandom(sampling.seed);
        if (labeller instanceof LabelOptions.Pointwise pw) {
            double[] all;
            try {
                all = pw.scorer().score(flat);
            } catch (IllegalArgumentException e) {
                throw new InputException("--label " + label + ": " + e.getMessage());
            }
            int off = 0;
            for (int i = 0; i < n; i++) {
                List<Integer> k = kept.get(i);
                double[] s = java.util.Arrays.copyOfRange(all, off, off + k.size());
                off += k.size();
                List<ScoredPairs.Pair> ps = bradleyTerry ? ScoredPairs.sampled(s, pairing, btTemperature, rng) : ScoredPairs.of(s, pairing);
                for (ScoredPairs.Pair p : ps) {
                    lines.append(JSON.writeValueAsString(record(d, i, k.get(p.chosen()), k.get(p.rejected()), s[p.chosen()], s[p.rejected()])))
                            .append('\n');
                    gap += s[p.chosen()] - s[p.rejected()];
                    written++;
                }
            }
        } else {
            LabelOptions.Pairwise pj = (LabelOptions.Pairwise) labeller;
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
            System.err.printf("collect: judging %d pairs with %s%n", jp.size(), labelOptions.judgeModel);
            int[] verdicts = pj.judge().judge(jp, jc);
            // Wins per kept completion: best-worst ranks by them; all-pairs writes each verdict.
            double[][] wins = new double[n][];
            for (int i = 0; i < n; i++) wins[i] = new double[kept.get(i).size()];
            for (int v = 0; v < verdicts.length; v++) {
                int[] w = which.get(v);
                if (verdicts[v] < 0) invalid++;
                else wins[w[0]][verdicts[v] == 0 ? w[1] : w[2]]++;
            }
            for (int v = 0; v < verdicts.length && pairing == Pairing.ALL_PAIRS; v++) {
                if (verdicts[v] < 0) continue;
                int[] w = which.get(v);
                int c = verdicts[v] == 0 ? w[1] : w[2], r = verdicts[v] == 0 ? w[2] : w[1];
                List<Integer> k = kept.get(w[0]);
                lines.append(JSON.writeValueAsString(record(d, w[0], k.get(c), k.get(r), wins[w[0]][c], wins[w[0]][r]))).append('\n');
                written++;
            }
            for (int i = 0; i < n && pairing == Pairing.BEST_VS_WORST; i++) {
                for (ScoredPairs.Pair p : ScoredPairs.of(wins[i], pairing)) {
                    List<Integer> k = kept.get(i);
                    lines.append(JSON.writeValueAsString(record(d, i, k.get(p.chosen()), k.get(p.rejected()), wins[i][p.chosen()],
                            wins[i][p.rejected()]))).append('\n');
                    written++;
                }
            }
        }
        AtomicWrite.write(out, lines.toString().getBytes(StandardCharsets.UTF_8));
        System.err.printf(Locale.ROOT, "collect: %d prompts × %d samples (%d empty or duplicate dropped), labelled by %s → %d pairs%s%s → %s%n",
                n, numSamples, dropped, labeller.name(), written,
                labeller instanceof LabelOptions.Pointwise && written > 0 ? String.format(Locale.ROOT, ", mean score gap %.4f", gap / written) : "",
                invalid > 0 ? ", " + invalid + " judge answers invalid (skipped)" : "", out);
        return 0;
    }

    /** A TRL standard record (text prompts) or a pre-tokenized one (prompt_input_ids prompts), with the scores. */
    private static ObjectNode record(SamplingOptions.Drawn d, int i, int chosen, int rejected, double cs, double rs) {
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
