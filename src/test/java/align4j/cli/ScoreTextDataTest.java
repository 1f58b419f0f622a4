package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.data.PreferenceTokenizer;
import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.RewardModelFolder;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j score} on text records with a real tokenizer (Llama 3's): a prompt/completion record and a
 * preference pair with the same prompt and completion get the same score, equal to the Java API's score of the
 * ids the preference tokenizer produces (EOS appended).
 */
class ScoreTextDataTest {
    @Test
    void textRecordsAndPairsScoreAsTheirTokenIds(@TempDir Path tmp) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama3");
        ObjectMapper om = new ObjectMapper();
        ModelConfig cfg = TinyModels.config(TinyModels.oneLayerLlama(tok.vocabSize()).put("hidden_size", 8), "tiny");
        LoadedModel lm = new LoadedModel(cfg, ModelInit.random(cfg, 1), HfLayout.forNew(cfg, DType.F32));
        Path rmDir = tmp.resolve("rm");
        RewardModelFolder.save(rmDir, RewardModelFolder.fromLanguageModel(lm, tok.eosId(), 2), lm.layout().dtype());
        HfModel.copyTokenizerFiles(TextFixtures.tokenizerDir("llama3"), rmDir);

        Path data = tmp.resolve("c.jsonl"), pairs = tmp.resolve("p.jsonl");
        Files.writeString(data, "{\"prompt\": \"The capital of France is\", \"completion\": \" Paris.\"}\n");
        Files.writeString(pairs, "{\"prompt\": \"The capital of France is\", \"chosen\": \" Paris.\", \"rejected\": \" Rome.\"}\n");
        Path out1 = tmp.resolve("o1.jsonl"), out2 = tmp.resolve("o2.jsonl");
        assertEquals(0, Main.run("score", "--model", rmDir.toString(), "--data", data.toString(), "--out", out1.toString(), "--threads", "1"));
        assertEquals(0, Main.run("score", "--model", rmDir.toString(), "--data", pairs.toString(), "--out", out2.toString(), "--threads", "1"));
        JsonNode single = om.readTree(Files.readString(out1)), pair = om.readTree(Files.readString(out2));

        int[][] pc = new PreferenceTokenizer(tok).tokenize("c.jsonl:1", new TextNode("The capital of France is"), new TextNode(" Paris."), false);
        assertEquals(tok.eosId(), pc[1][pc[1].length - 1]); // EOS appended, as TRL does
        double want = RewardModelFolder.load(rmDir).score(List.of(pc[0]), List.of(pc[1]))[0];
        assertEquals(want, single.get("score").asDouble(), 1e-6);
        assertEquals(want, pair.get("chosen_score").asDouble(), 1e-5);
        assertNotEquals(pair.get("chosen_score").asDouble(), pair.get("rejected_score").asDouble());
        // scoring the output again (records now carry "score") rescores each record instead of pairing them
        Path out3 = tmp.resolve("o3.jsonl");
        assertEquals(0, Main.run("score", "--model", rmDir.toString(), "--data", out1.toString(), "--out", out3.toString(), "--threads", "1"));
        assertEquals(want, om.readTree(Files.readString(out3)).get("score").asDouble(), 1e-6);
    }
}
