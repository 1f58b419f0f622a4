package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.cli.Main;
import align4j.io.HfModel;
import align4j.io.RewardModelFolder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scores of Hugging Face sequence-classification reward models (GPT-2, Llama and Qwen3 layouts) against an
 * independent float64 PyTorch re-implementation (scripts/make_reward_reference.py wrote the folders and
 * the expected numbers), through the Java API and through {@code align4j score}; and a save → load round trip.
 */
class RewardModelReferenceTest {
    static final Path REF = Path.of("src/test/resources/reference");
    static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> lines(Path f) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        for (String s : Files.readAllLines(f)) l.add(JSON.readTree(s));
        return l;
    }

    static int[] ids(JsonNode a) {
        int[] x = new int[a.size()];
        for (int i = 0; i < x.length; i++) x[i] = a.get(i).asInt();
        return x;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_reward", "llama_reward", "qwen3_reward"})
    void javaApiScoresMatchPyTorch(String name) throws Exception {
        RewardModel rm = RewardModelFolder.load(REF.resolve("models/" + name)).scoreBatchSize(3);
        List<JsonNode> single = lines(REF.resolve(name + ".completions.expected.jsonl"));
        List<int[]> p = new ArrayList<>(), c = new ArrayList<>();
        for (JsonNode e : single) {
            p.add(ids(e.get("prompt_input_ids")));
            c.add(ids(e.get("completion_input_ids")));
        }
        double[] s = rm.score(p, c);
        for (int i = 0; i < s.length; i++) assertEquals(single.get(i).get("score").asDouble(), s[i], 1e-4, name + " record " + i);

        List<JsonNode> pairs = lines(REF.resolve(name + ".pairs.expected.jsonl"));
        List<int[]> pp = new ArrayList<>(), ch = new ArrayList<>(), rj = new ArrayList<>();
        for (JsonNode e : pairs) {
            pp.add(ids(e.get("prompt_input_ids")));
            ch.add(ids(e.get("chosen_input_ids")));
            rj.add(ids(e.get("rejected_input_ids")));
        }
        RewardModel.PairScores ps = rm.scorePairs(pp, ch, rj);
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(pairs.get(i).get("chosen_score").asDouble(), ps.chosen()[i], 1e-4, name + " pair " + i);
            assertEquals(pairs.get(i).get("rejected_score").asDouble(), ps.rejected()[i], 1e-4, name + " pair " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_reward", "llama_reward", "qwen3_reward"})
    void scoreCommandWritesThePyTorchScores(String name, @TempDir Path tmp) throws Exception {
        for (String kind : new String[] {"completions", "pairs"}) {
            Path out = tmp.resolve(kind + ".jsonl");
            assertEquals(0, Main.run("score", "--model", REF.resolve("models/" + name).toString(),
                    "--data", REF.resolve(name + "." + kind + ".jsonl").toString(), "--out", out.toString(), "--threads", "1"));
            List<JsonNode> want = lines(REF.resolve(name + "." + kind + ".expected.jsonl")), got = lines(out);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                for (String f : kind.equals("pairs") ? new String[] {"chosen_score", "rejected_score"} : new String[] {"score"}) {
                    assertEquals(want.get(i).get(f).asDouble(), got.get(i).get(f).asDouble(), 1e-4, name + " " + kind + " line " + (i + 1) + " " + f);
                }
                assertEquals(want.get(i).get("prompt_input_ids"), got.get(i).get("prompt_input_ids"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_reward", "llama_reward", "qwen3_reward"})
    void savedFolderHasHuggingFaceNamesAndLoadsToTheSameScores(String name, @TempDir Path tmp) throws Exception {
        Path dir = REF.resolve("models/" + name);
        RewardModel rm = RewardModelFolder.load(dir);
        List<int[]> p = List.of(new int[] {3, 5, 7}, new int[] {1}), c = List.of(new int[] {2, 4}, new int[] {9, 9, 9});
        double[] before = rm.score(p, c);
        RewardModelFolder.save(tmp, rm, HfModel.load(dir).layout().dtype());
        double[] after = RewardModelFolder.load(tmp).score(p, c);
        assertArrayEquals(before, after, 0.0);
        JsonNode cfg = JSON.readTree(tmp.resolve("config.json").toFile());
        String family = name.startsWith("gpt2") ? "GPT2" : name.startsWith("qwen3") ? "Qwen3" : "Llama";
        assertEquals(family + "ForSequenceClassification", cfg.get("architectures").get(0).asText());
        assertEquals("LABEL_0", cfg.get("id2label").get("0").asText());
        assertEquals(0, cfg.get("label2id").get("LABEL_0").asInt());
        assertTrue(cfg.get("pad_token_id").canConvertToInt());
        try (var r = align4j.io.SafetensorsReader.open(tmp.resolve("model.safetensors"))) {
            assertArrayEquals(new long[] {1, rm.config().hidden()}, r.info("score.weight").shape());
            assertFalse(r.contains("lm_head.weight"));
            String embed = name.startsWith("gpt2") ? "transformer.wte.weight" : "model.embed_tokens.weight";
            assertTrue(r.contains(embed), r.tensors().keySet().toString());
        }
    }
}
