package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpo --loss-type plackett_luce} and {@code reward --loss-type plackett_luce} on a tiny listwise dataset with a
 * learnable ranking (the more even token ids a completion has, the better), and {@code collect --listwise} feeding
 * {@code dpo}; on pair data, plackett_luce trains exactly as sigmoid / Bradley–Terry.
 */
class ListwiseCommandTest {
    @TempDir
    static Path shared;
    static Path model, train, eval;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        train = rankings(shared.resolve("train.jsonl"), 64, 1);
        eval = rankings(shared.resolve("eval.jsonl"), 24, 2);
    }

    /**
     * Pre-tokenized rankings of K = 3 or 4 completions, listed in a shuffled order with their {@code ranking} (1 =
     * best): completion of rank ρ has ids even with probability 1 − (ρ−1)/(K−1).
     */
    static Path rankings(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                ObjectNode o = DpoFixtures.JSON.createObjectNode();
                ArrayNode p = o.putArray("prompt_input_ids");
                for (int t = 0, len = 2 + r.nextInt(4); t < len; t++) p.add(r.nextInt(48));
                int k = 3 + r.nextInt(2);
                int[] perm = align4j.train.TrainLoop.DataOrder.shuffle(k, r);
                ArrayNode cs = o.putArray("completions_input_ids"), ranking = o.putArray("ranking");
                for (int j = 0; j < k; j++) {
                    int rank = perm[j];
                    double even = 1 - (double) rank / (k - 1);
                    ArrayNode c = cs.addArray();
                    for (int t = 0, len = 3 + r.nextInt(4); t < len; t++) c.add((r.nextInt(48) & ~1) | (r.nextDouble() < even ? 0 : 1));
                    ranking.add(rank + 1);
                }
                w.write(DpoFixtures.JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return file;
    }

    static List<String> common(String command, Path data, Path evalData, Path out) {
        return new ArrayList<>(List.of(command, "--model", model.toString(), "--dataset", data.toString(), "--eval-dataset",
                evalData.toString(), "--output-dir", out.toString(), "--batch-size", "8", "--max-steps", "16", "--logging-steps", "4",
                "--warmup-ratio", "0.1", "--threads", "1", "--seed", "3"));
    }

    @Test
    void plackettLuceDpoLearnsTheRankings(@TempDir Path out) throws Exception {
        List<String> a = common("dpo", train, eval, out);
        a.addAll(List.of("--loss-type", "plackett_luce", "--learning-rate", "3e-3"));
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        List<JsonNode> ev = DpoCommandTest.evalLines(CliRuns.metrics(out));
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        assertTrue(last.get("eval_loss").asDouble() < first.get("eval_loss").asDouble(), last.toString());
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= 0.9, last.toString());
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        try (var files = Files.list(out.resolve("ref_cache"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("ref_list_logps-")));
        }
    }

    @Test
    void plackettLuceRewardLearnsTheRankings(@TempDir Path out) throws Exception {
        List<String> a = common("reward", train, eval, out);
        a.addAll(List.of("--loss-type", "plackett_luce", "--learning-rate", "3e-3"));
        assertEquals(0, Main.run(a.toArray(String[]::new)));
        List<JsonNode> ev = CliRuns.metrics(out).stream().filter(n -> n.has("eval_accuracy")).toList();
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        assertTrue(last.get("eval_loss").asDouble() < first.get("eval_loss").asDouble(), last.toString());
        assertTrue(last.get("eval_accuracy").asDouble() >= 0.9, last.toString());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    }

    /** On pairs, --loss-type plackett_luce logs the very numbers of the pairwise losses, step by step. */
    @Test
    void onPairsPlackettLuceTrainsExactlyAsThePairwiseLosses(@TempDir Path out) throws Exception {
        Path pairs = DpoFixtures.pairs(out.resolve("pairs.jsonl"), 24, 1), pairsEval = DpoFixtures.pairs(out.resolve("pe.jsonl"), 8, 2);
        for (String command : new String[] {"dpo", "reward"}) {
            List<String> base = common(command, pairs, pairsEval, out.resolve(command + "-pairwise"));
            base.addAll(List.of("--loss-type", command.equals("dpo") ? "sigmoid" : "bradley_terry"));
            List<String> listwise = common(command, pairs, pairsEval, out.resolve(command + "-listwise"));
            listwise.addAll(List.of("--loss-type", "plackett_luce"));
            assertEquals(0, Main.run(base.toArray(String[]::new)));
            assertEquals(0, Main.run(listwise.toArray(String[]::new)));
            List<JsonNode> m1 = CliRuns.metrics(out.resolve(command + "-pairwise")), m2 = CliRuns.metrics(out.resolve(command + "-listwise"));
            assertEquals(m1.size(), m2.size());
            for (int i = 0; i < m1.size(); i++) {
                ObjectNode x = m1.get(i).deepCopy(), y = m2.get(i).deepCopy();
                for (ObjectNode o : new ObjectNode[] {x, y}) {
                    o.remove(List.of("logits/chosen", "logits/rejected", "train_runtime", "train_samples_per_second",
                            "train_steps_per_second", "tokens_per_second", "time", "epoch_time", "eval_runtime", "eval_samples_per_second",
                            "eval_steps_per_second"));
                }
                int compared = 0;
                for (var it = y.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (x.has(k) && (k.contains("loss") || k.contains("reward") || k.contains("logps") || k.contains("accura") || k.contains("margin"))) {
                        assertEquals(x.get(k), y.get(k), command + " line " + i + " " + k);
                        compared++;
                    }
                }
                assertTrue(compared >= 3, command + " line " + i + ": " + y);
            }
        }
    }

    @Test
    void collectWritesRankingsThatDpoTrainsOn(@TempDir Path tmp) throws Exception {
        ModelConfig cfg = TinyModels.config(TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB).put("max_position_embeddings", 128), "tiny");
        Path policy = TinyModels.save(tmp.resolve("policy"), cfg, ModelInit.random(cfg, 2), "llama2");
        Path prompts = tmp.resolve("prompts.jsonl");
        Files.writeString(prompts, """
                {"prompt": "The capital of France is"}
                {"prompt": "Name a colour:"}
                {"prompt": "Count to three:"}
                """);
        Path lists = tmp.resolve("lists.jsonl");
        assertEquals(0, Main.run("collect", "--policy", policy.toString(), "--prompts", prompts.toString(), "--out", lists.toString(),
                "--num-samples", "4", "--temperature", "1.0", "--max-new-tokens", "6", "--seed", "5", "--threads", "1",
                "--label", "function:length", "--listwise"));
        List<String> lines = Files.readAllLines(lists);
        assertTrue(!lines.isEmpty() && lines.size() <= 3);
        for (String line : lines) {
            JsonNode o = DpoFixtures.JSON.readTree(line);
            JsonNode cs = o.get("completions"), ranking = o.get("ranking"), scores = o.get("scores");
            assertTrue(cs.size() >= 2 && ranking.size() == cs.size() && scores.size() == cs.size(), line);
            assertEquals(1, ranking.get(0).asInt());
            for (int j = 0; j < cs.size(); j++) {
                assertEquals(cs.get(j).asText().length(), scores.get(j).asDouble(), line);
                if (j > 0) {
                    assertTrue(scores.get(j - 1).asDouble() >= scores.get(j).asDouble(), line);
                    assertEquals(scores.get(j - 1).asDouble() > scores.get(j).asDouble(), ranking.get(j - 1).asInt() < ranking.get(j).asInt(), line);
                }
            }
        }
        // Plackett–Luce draws (Gumbel-max with the seed): every ranking a permutation of 1..K, the same on a rerun
        Path drawn = tmp.resolve("drawn.jsonl");
        String[] bt = {"collect", "--policy", policy.toString(), "--prompts", prompts.toString(), "--out", drawn.toString(),
                "--num-samples", "4", "--temperature", "1.0", "--max-new-tokens", "6", "--seed", "5", "--threads", "1",
                "--label", "function:length", "--listwise", "--bradley-terry", "--bt-temperature", "2"};
        assertEquals(0, Main.run(bt));
        List<String> d1 = Files.readAllLines(drawn);
        assertEquals(lines.size(), d1.size());
        for (String line : d1) {
            JsonNode ranking = DpoFixtures.JSON.readTree(line).get("ranking");
            for (int j = 0; j < ranking.size(); j++) assertEquals(j + 1, ranking.get(j).asInt(), line);
        }
        assertEquals(0, Main.run(bt));
        assertEquals(d1, Files.readAllLines(drawn));

        Path out = tmp.resolve("dpo");
        assertEquals(0, Main.run("dpo", "--model", policy.toString(), "--dataset", lists.toString(), "--output-dir", out.toString(),
                "--loss-type", "plackett_luce", "--max-steps", "2", "--batch-size", "2", "--threads", "1"));
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    }
}
