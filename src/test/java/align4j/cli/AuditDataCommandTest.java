package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.api.Scoring;
import align4j.data.DatasetAudit;
import align4j.data.DatasetAuditTest;
import align4j.data.PreferenceData;
import align4j.eval.LabelNoise;
import align4j.eval.RewardModelScorer;
import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.RewardModelFolder;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.RewardModel;
import align4j.model.TinyModels;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j audit-data}: the label-noise estimate against a tiny reward model equals a direct count from
 * {@link Scoring#pairs} and {@link RewardModelScorer}; the command prints the report and writes the JSON.
 */
class AuditDataCommandTest {
    @Test
    void labelNoiseIsTheDirectCountAndTheCommandReportsEveryFinding(@TempDir Path tmp) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama3");
        ModelConfig cfg = TinyModels.config(TinyModels.oneLayerLlama(tok.vocabSize()).put("hidden_size", 8), "tiny");
        LoadedModel lm = new LoadedModel(cfg, ModelInit.random(cfg, 3), HfLayout.forNew(cfg, DType.F32));
        Path rmDir = tmp.resolve("rm");
        RewardModelFolder.save(rmDir, RewardModelFolder.fromLanguageModel(lm, tok.eosId(), 2), lm.layout().dtype());
        HfModel.copyTokenizerFiles(TextFixtures.tokenizerDir("llama3"), rmDir);
        Path modelDir = tmp.resolve("model");
        HfModel.save(modelDir, cfg, lm.tensors(), HfLayout.forNew(cfg, DType.F32));
        HfModel.copyTokenizerFiles(TextFixtures.tokenizerDir("llama3"), modelDir);

        Path data = tmp.resolve("d.jsonl"), clean = tmp.resolve("clean.jsonl");
        String text = DatasetAuditTest.defects(tok.eosToken());
        Files.writeString(data, text);
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.remove(2); // the identical record, which PreferenceData refuses
        Files.writeString(clean, String.join("\n", lines) + "\n");

        // direct: Scoring.pairs on the clean file, and RewardModelScorer on the text
        RewardModel rm = RewardModelFolder.load(rmDir);
        List<ObjectNode> scored = Scoring.pairs(rm, PreferenceData.load(clean, PreferenceData.Settings.defaults(), tok, tok.vocabSize()));
        int reversed = 0;
        double margin = 0;
        for (ObjectNode o : scored) {
            double m = o.get("chosen_score").asDouble() - o.get("rejected_score").asDouble();
            reversed += m < 0 ? 1 : 0;
            margin += m;
        }
        margin /= scored.size();
        RewardModelScorer scorer = RewardModelScorer.load(rmDir);
        List<String> prompts = new ArrayList<>();
        for (ObjectNode o : scored) prompts.add(o.get("prompt").asText());
        double[] c = scorer.score(prompts, scored.stream().map(o -> o.get("chosen").asText()).toList());
        double[] r = scorer.score(prompts, scored.stream().map(o -> o.get("rejected").asText()).toList());
        int reversedText = 0;
        for (int i = 0; i < c.length; i++) reversedText += c[i] < r[i] ? 1 : 0;
        assertEquals(reversed, reversedText);

        LabelNoise noise = LabelNoise.of(rm, DatasetAudit.pairs(data, PreferenceData.Settings.defaults(), tok));
        assertEquals(7, noise.pairs());
        assertEquals(reversed, noise.reversed());
        assertEquals(margin, noise.meanMargin(), 1e-6);
        assertEquals((double) reversed / 7, noise.fraction(), 1e-12);

        // the command: text on stdout, JSON with --out
        Path out = tmp.resolve("audit.json");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run("audit-data", "--model", modelDir.toString(), "--data", data.toString(), "--reward-model", rmDir.toString(),
                    "--max-length", "30", "--out", out.toString(), "--threads", "1");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        String report = buf.toString();
        for (String s : List.of("length bias", "truncated", "missing_eos", "duplicate", "identical", "prompt_leak",
                "boundary_mismatch", "label_noise", "d.jsonl:2 (= d.jsonl:1)")) {
            assertTrue(report.contains(s), s + " in\n" + report);
        }
        JsonNode json = DpoFixtures.JSON.readTree(out.toFile());
        JsonNode f = json.get("findings");
        assertEquals(8, json.get("pairs").asInt());
        assertEquals(1, f.get("duplicate").get("count").asInt());
        assertEquals("d.jsonl:3", f.get("identical").get("examples").get(0).asText());
        assertEquals("d.jsonl:6", f.get("truncated").get("examples").get(0).asText());
        assertEquals(1, f.get("truncated").get("prompt").asInt());
        assertEquals(1, f.get("prompt_leak").get("count").asInt());
        assertEquals(1, f.get("missing_eos").get("count").asInt());
        assertEquals(1, f.get("boundary_mismatch").get("count").asInt());
        // the command scores the pairs as training would see them (truncated to --max-length 30)
        var settings30 = new PreferenceData.Settings(align4j.data.ColumnMapping.IDENTITY, align4j.data.Pairing.ALL_PAIRS, 30, 0,
                align4j.data.Truncation.Mode.KEEP_END);
        LabelNoise noise30 = LabelNoise.of(rm, DatasetAudit.pairs(data, settings30, tok));
        assertEquals(noise30.reversed(), f.get("label_noise").get("count").asInt());
        assertEquals(noise30.meanMargin(), f.get("label_noise").get("mean_margin").asDouble(), 1e-9);
        assertEquals(3.0 / 7, json.get("length_bias").get("chosen_longer_fraction").asDouble(), 1e-12);
    }
}
