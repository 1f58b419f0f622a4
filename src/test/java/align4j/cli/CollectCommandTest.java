package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.data.PreferenceTokenizer;
import align4j.eval.BestOfN;
import align4j.eval.JudgeStub;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.RewardModelFolder;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import align4j.model.RewardModel;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j collect} and {@code align4j best-of-n} end to end on a tiny Llama over the Llama 2 tokenizer:
 * the pairs written are checked against the completions {@code align4j generate} draws with the same seed, and
 * {@code align4j logps} (dpo's data path) reads them.
 */
class CollectCommandTest {
    @TempDir
    Path tmp;

    private Path policy() throws Exception {
        Path dir = tmp.resolve("policy");
        ModelConfig cfg = TinyModels.config(
                TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB).put("max_position_embeddings", 128), "tiny");
        return TinyModels.save(dir, cfg, ModelInit.random(cfg, 2), "llama2");
    }

    private Path prompts() throws Exception {
        Path p = tmp.resolve("prompts.jsonl");
        Files.writeString(p, """
                {"prompt": "The capital of France is", "ref": "Paris"}
                {"prompt": "Name a colour:", "ref": "red"}
                {"prompt": "Make <b>this</b> & \\"that\\" bold:", "ref": "4"}
                """);
        return p;
    }

    /** What `generate` draws with the same settings: completion texts per prompt, in order. */
    private List<List<String>> generated(Path policy, Path prompts, int k) throws Exception {
        Path out = tmp.resolve("gen.jsonl");
        assertEquals(0, Main.run("generate", "--model", policy.toString(), "--prompts", prompts.toString(), "--out", out.toString(),
                "--num-return-sequences", String.valueOf(k), "--temperature", "1.0", "--max-new-tokens", "6", "--seed", "5",
                "--threads", "1"));
        Map<String, List<String>> by = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode o = DpoFixtures.JSON.readTree(line);
            by.computeIfAbsent(o.get("prompt").asText(), x -> new ArrayList<>()).add(o.get("completion").asText());
        }
        return new ArrayList<>(by.values());
    }

    private static String[] collect(Path policy, Path prompts, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("collect", "--policy", policy.toString(), "--prompts", prompts.toString(), "--out",
                out.toString(), "--num-samples", "4", "--temperature", "1.0", "--max-new-tokens", "6", "--seed", "5", "--threads", "1"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void lengthLabelledPairsAreEveryPairOfDistinctLengthsAndLogpsReadsThem() throws Exception {
        Path policy = policy(), prompts = prompts();
        List<List<String>> gen = generated(policy, prompts, 4);
        Path out = tmp.resolve("pairs.jsonl");
        assertEquals(0, Main.run(collect(policy, prompts, out, "--label", "function:length", "--pairs", "all")));
        List<String> lines = Files.readAllLines(out);
        // Expected: per prompt, distinct non-blank texts, every pair whose lengths differ.
        int expected = 0;
        Set<String> all = new HashSet<>();
        for (List<String> g : gen) {
            List<String> d = g.stream().filter(s -> !s.isBlank()).distinct().toList();
            all.addAll(d);
            for (int i = 0; i < d.size(); i++) for (int j = i + 1; j < d.size(); j++) if (d.get(i).length() != d.get(j).length()) expected++;
        }
        assertTrue(expected > 0, "the fixture must give some pairs");
        assertEquals(expected, lines.size());
        for (String line : lines) {
            JsonNode o = DpoFixtures.JSON.readTree(line);
            String ch = o.get("chosen").asText(), rj = o.get("rejected").asText();
            assertTrue(all.contains(ch) && all.contains(rj));
            assertEquals(ch.length(), o.get("chosen_score").asDouble());
            assertEquals(rj.length(), o.get("rejected_score").asDouble());
            assertTrue(ch.length() > rj.length());
        }
        Path scored = tmp.resolve("scored.jsonl");
        assertEquals(0, Main.run("logps", "--model", policy.toString(), "--data", out.toString(), "--out", scored.toString(), "--threads", "1"));
        assertEquals(expected, Files.readAllLines(scored).size());

        // explain reads the same text pairs; markup in prompts and completions arrives escaped.
        Path html = tmp.resolve("explain.html");
        assertEquals(0, Main.run("explain", "--policy", policy.toString(), "--ref-model", policy.toString(), "--data", out.toString(),
                "--out", html.toString(), "--threads", "1"));
        assertEquals(expected, Files.readAllLines(tmp.resolve("explain.jsonl")).size());
        String page = Files.readString(html);
        assertTrue(page.contains("Make &lt;b&gt;this&lt;/b&gt; &amp; &quot;that&quot; bold:"));
        assertFalse(page.contains("<b>this"));

        // best-worst with Bradley–Terry labels: at most one pair per prompt, seeded.
        Path bw = tmp.resolve("bw.jsonl");
        assertEquals(0, Main.run(collect(policy, prompts, bw, "--label", "function:length", "--pairs", "best-worst", "--bradley-terry",
                "--bt-temperature", "2")));
        List<String> b1 = Files.readAllLines(bw);
        assertTrue(b1.size() <= 3 && !b1.isEmpty());
        assertEquals(0, Main.run(collect(policy, prompts, bw, "--label", "function:length", "--pairs", "best-worst", "--bradley-terry",
                "--bt-temperature", "2")));
        assertEquals(b1, Files.readAllLines(bw));
    }

    @Test
    void rewardModelLabelsAreTheRewardModelsScoresAndBestOfNKeepsTheMax() throws Exception {
        Path policy = policy(), prompts = prompts();
        Path rmDir = tmp.resolve("rm");
        LoadedModel lm = HfModel.load(policy);
        RewardModelFolder.save(rmDir, RewardModelFolder.fromLanguageModel(lm, 0, 9), lm.layout().dtype());
        HfModel.copyTokenizerFiles(TextFixtures.tokenizerDir("llama2"), rmDir);
        Path out = tmp.resolve("pairs.jsonl");
        assertEquals(0, Main.run(collect(policy, prompts, out, "--label", "reward-model:" + rmDir, "--pairs", "best-worst")));
        RewardModel rm = RewardModelFolder.load(rmDir);
        PreferenceTokenizer pt = new PreferenceTokenizer(Tokenizer.load(rmDir));
        List<String> lines = Files.readAllLines(out);
        assertFalse(lines.isEmpty());
        for (String line : lines) {
            JsonNode o = DpoFixtures.JSON.readTree(line);
            for (String side : new String[] {"chosen", "rejected"}) {
                int[][] ids = pt.tokenize("t", o.get("prompt"), o.get(side), false);
                double r = rm.score(List.of(ids[0]), List.of(ids[1]))[0];
                assertEquals(r, o.get(side + "_score").asDouble(), 1e-5);
            }
            assertTrue(o.get("chosen_score").asDouble() > o.get("rejected_score").asDouble());
        }

        Path best = tmp.resolve("best.jsonl");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run("best-of-n", "--policy", policy.toString(), "--prompts", prompts.toString(), "--n", "4",
                    "--reward-model", rmDir.toString(), "--out", best.toString(), "--temperature", "1.0", "--max-new-tokens", "6",
                    "--seed", "5", "--threads", "1"));
        } finally {
            System.setOut(old);
        }
        JsonNode summary = DpoFixtures.JSON.readTree(buf.toString(StandardCharsets.UTF_8).strip());
        List<String> kept = Files.readAllLines(best);
        assertEquals(3, kept.size());
        double sumBest = 0, sumAll = 0;
        for (String line : kept) {
            JsonNode o = DpoFixtures.JSON.readTree(line);
            double max = Double.NEGATIVE_INFINITY;
            for (JsonNode r : o.get("rewards")) {
                max = Math.max(max, r.asDouble());
                sumAll += r.asDouble();
            }
            assertEquals(max, o.get("reward").asDouble());
            int[][] ids = pt.tokenize("t", o.get("prompt"), TextNode.valueOf(o.get("completion").asText()), false);
            assertEquals(rm.score(List.of(ids[0]), List.of(ids[1]))[0], max, 1e-5, "the kept completion has the best reward");
            sumBest += max;
        }
        assertEquals(sumBest / 3, summary.get("mean_reward_best_of_n").asDouble(), 1e-9);
        assertEquals(sumAll / 12, summary.get("mean_reward_single_sample").asDouble(), 1e-9);
        assertTrue(summary.get("mean_reward_best_of_n").asDouble() >= summary.get("mean_reward_single_sample").asDouble());
        assertEquals(Math.log(4) - 0.75, summary.get("kl_analytic").asDouble(), 1e-12);
        assertEquals(BestOfN.analyticKl(4), summary.get("kl_analytic").asDouble());
    }

    @Test
    void judgeLabelsComeFromTheHttpJudgeAndTheKeyGoesOnlyIntoTheHeader() throws Exception {
        Path policy = policy(), prompts = prompts();
        String key = System.getenv("PATH"); // an environment variable every test process has, standing in for a key
        assertTrue(key != null && key.length() > 5);
        Path out = tmp.resolve("judged.jsonl");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JudgeStub stub = new JudgeStub(500, 429)) {
            stub.fixedAnswer = "1";
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int rc;
            try {
                rc = Main.run(collect(policy, prompts, out, "--label", "judge", "--judge-base-url", stub.baseUrl().toString(),
                        "--judge-model", "stub", "--judge-api-key-env", "PATH", "--judge-timeout", "5"));
            } finally {
                System.setErr(oldErr);
            }
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
            for (String a : stub.authorization) assertEquals("Bearer " + key, a);
            List<String> lines = Files.readAllLines(out);
            assertEquals(stub.bodies.size() - 2, lines.size(), "one pair per judged comparison (2 requests were retries)");
            assertFalse(Files.readString(out).contains(key));
            String log = err.toString(StandardCharsets.UTF_8);
            assertFalse(log.contains(key));
            assertTrue(log.contains("HTTP 500") && log.contains("HTTP 429"), log);
            for (String line : lines) {
                JsonNode o = DpoFixtures.JSON.readTree(line);
                assertTrue(!o.get("chosen").asText().equals(o.get("rejected").asText()));
            }
            // best-worst ranks by wins: at most one pair per prompt, the chosen with more wins.
            Path bw = tmp.resolve("judged-bw.jsonl");
            assertEquals(0, Main.run(collect(policy, prompts, bw, "--label", "judge", "--judge-base-url", stub.baseUrl().toString(),
                    "--judge-api-key-env", "PATH", "--pairs", "best-worst")));
            List<String> best = Files.readAllLines(bw);
            assertTrue(!best.isEmpty() && best.size() <= 3);
            for (String line : best) {
                JsonNode o = DpoFixtures.JSON.readTree(line);
                assertTrue(o.get("chosen_score").asDouble() > o.get("rejected_score").asDouble());
            }
            assertEquals(2, Main.run(collect(policy, prompts, bw, "--label", "judge", "--judge-base-url", stub.baseUrl().toString(),
                    "--bradley-terry")));
        }
    }

    @Test
    void badFlagsAreUserErrors() throws Exception {
        Path policy = policy(), prompts = prompts(), out = tmp.resolve("x.jsonl");
        assertEquals(2, Main.run(collect(policy, prompts, out, "--label", "function:length", "--temperature", "0")));
        assertEquals(2, Main.run(collect(policy, prompts, out, "--label", "bleu")));
        assertEquals(2, Main.run(collect(policy, prompts, out, "--label", "function:nope")));
        assertEquals(2, Main.run(collect(policy, prompts, out, "--label", "function:length", "--num-samples", "1")));
        assertEquals(2, Main.run(collect(policy, prompts, out, "--label", "function:length", "--pairs", "some")));
        assertFalse(Files.exists(out));
        // rouge-l against the "ref" field works
        assertEquals(0, Main.run(collect(policy, prompts, out, "--label", "rouge-l", "--references", "ref")));
    }
}
