package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.io.PeftAdapter;
import align4j.io.SafetensorsReader;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j dpo}, full and with LoRA ({@code --use-peft}, PEFT's default target modules for qwen3 and
 * all-linear), then {@code merge-lora}, {@code align4j reward} and {@code align4j grpo}, on a tiny Qwen3 folder in BF16 (q/k norms, GQA, head_dim apart from
 * hidden/heads, tied head) with {@link DpoFixtures}' learnable preference; saved folders keep Qwen3's tensor
 * names and the input's dtype.
 */
class Qwen3CommandsTest {
    @TempDir
    static Path shared;
    static Path model, train, eval;

    @BeforeAll
    static void fixtures() throws Exception {
        ModelConfig cfg = TinyModels.config(TinyModels.qwen3().put("vocab_size", 48).put("hidden_size", 32)
                .put("head_dim", 8).put("rope_theta", 1000000.0), "qwen3");
        model = shared.resolve("model");
        HfModel.save(model, cfg, ModelInit.random(cfg, 5), HfLayout.forNew(cfg, DType.BF16));
        train = DpoFixtures.pairs(shared.resolve("train.jsonl"), 96, 1);
        eval = DpoFixtures.pairs(shared.resolve("eval.jsonl"), 32, 2);
    }

    static int dpo(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("dpo", "--model", model.toString(), "--dataset", train.toString(),
                "--eval-dataset", eval.toString(), "--output-dir", out.toString(), "--batch-size", "8", "--max-steps", "24",
                "--logging-steps", "4", "--warmup-ratio", "0.1", "--threads", "1", "--seed", "3"));
        a.addAll(List.of(extra));
        return Main.run(a.toArray(String[]::new));
    }

    static void assertLearned(Path out) throws Exception {
        List<JsonNode> ev = DpoCommandTest.evalLines(CliRuns.metrics(out));
        JsonNode first = ev.getFirst(), last = ev.getLast();
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= 0.9, last.toString());
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble(), last.toString());
    }

    @Test
    void dpoTrainsAndSavesQwen3NamesInBf16(@TempDir Path out) throws Exception {
        assertEquals(0, dpo(out, "--learning-rate", "3e-3"));
        assertLearned(out);
        try (SafetensorsReader in = SafetensorsReader.open(model.resolve("model.safetensors"));
             SafetensorsReader saved = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertEquals(in.tensors().keySet(), saved.tensors().keySet());
            assertTrue(saved.contains("model.layers.1.self_attn.q_norm.weight"));
            assertTrue(saved.contains("model.layers.1.self_attn.k_norm.weight"));
            for (String n : in.tensors().keySet()) assertEquals(DType.BF16, saved.info(n).dtype(), n);
        }
        assertEquals("qwen3", HfModel.load(out).config().modelType());
    }

    @Test
    void rewardTrainingSavesAQwen3ForSequenceClassification(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("reward", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset",
                eval.toString(), "--output-dir", out.toString(), "--learning-rate", "1e-3", "--batch-size", "8", "--max-steps",
                "24", "--logging-steps", "4", "--threads", "1", "--seed", "3"));
        List<JsonNode> ev = CliRuns.metrics(out).stream().filter(n -> n.has("eval_accuracy")).toList();
        assertTrue(ev.getLast().get("eval_accuracy").asDouble() >= 0.9, ev.getLast().toString());
        JsonNode cfg = DpoFixtures.JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("Qwen3ForSequenceClassification", cfg.get("architectures").get(0).asText());
        try (SafetensorsReader r = SafetensorsReader.open(out.resolve("model.safetensors"))) {
            assertTrue(r.contains("model.layers.0.self_attn.q_norm.weight") && r.contains("score.weight"));
            assertFalse(r.contains("lm_head.weight"));
        }
    }

    @Test
    void grpoSamplesWithTheKvCacheAndTrains(@TempDir Path out) throws Exception {
        Path prompts = out.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 8; i++) lines.add("{\"prompt_input_ids\":[" + (3 * i % 48) + "," + (5 * i + 1) % 48 + "]}");
        Files.write(prompts, lines);
        Path g = out.resolve("grpo");
        assertEquals(0, Main.run("grpo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs",
                "target-token:7", "--output-dir", g.toString(), "--num-generations", "4", "--beta", "0.04",
                "--max-completion-length", "5", "--per-device-train-batch-size", "8", "--learning-rate", "0.01",
                "--max-steps", "3", "--logging-steps", "1", "--threads", "1"));
        List<JsonNode> m = CliRuns.metrics(g);
        assertEquals(3, m.size());
        assertEquals(0.0, m.getFirst().get("kl").asDouble(), 1e-12, "step 1: the policy is the reference");
        try (SafetensorsReader r = SafetensorsReader.open(g.resolve("model.safetensors"))) {
            assertTrue(r.contains("model.layers.1.self_attn.k_norm.weight"));
        }
    }

    @Test
    void loraDpoWithPeftsDefaultTargetsAdaptsQAndVProjections(@TempDir Path out) throws Exception {
        assertEquals(0, dpo(out, "--use-peft", "--lora-r", "8", "--lora-alpha", "16", "--learning-rate", "1e-2"));
        // q and v alone reach the logits through o_proj's small initial weights: the preference is learnt, slowly
        List<JsonNode> ev = DpoCommandTest.evalLines(CliRuns.metrics(out));
        assertTrue(ev.getLast().get("eval_rewards/margins").asDouble() > ev.getFirst().get("eval_rewards/margins").asDouble());
        assertTrue(ev.getLast().get("eval_rewards/accuracies").asDouble() > 0.5, ev.getLast().toString());
        JsonNode cfg = DpoFixtures.JSON.readTree(out.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals("[\"q_proj\",\"v_proj\"]", cfg.get("target_modules").toString());
        assertFalse(cfg.get("fan_in_fan_out").asBoolean());
        try (SafetensorsReader r = SafetensorsReader.open(out.resolve(PeftAdapter.WEIGHTS_FILE))) {
            assertEquals(2 * 2 * 2, r.tensors().size(), "A and B of q_proj and v_proj in 2 layers");
            assertTrue(r.contains("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"));
        }
    }

    @Test
    void allLinearLoraDpoMergesIntoAModelThatEvaluatesLikeTheAdapter(@TempDir Path tmp) throws Exception {
        Path lora = tmp.resolve("lora");
        assertEquals(0, dpo(lora, "--use-peft", "--lora-r", "8", "--lora-alpha", "16", "--lora-target-modules", "all-linear",
                "--learning-rate", "1e-2"));
        assertLearned(lora);
        JsonNode last = DpoCommandTest.evalLines(CliRuns.metrics(lora)).getLast();
        Path merged = tmp.resolve("merged");
        assertEquals(0, Main.run("merge-lora", "--model", model.toString(), "--adapter", lora.toString(),
                "--output-dir", merged.toString()));
        Path ev = tmp.resolve("eval");
        assertEquals(0, Main.run("dpo", "--model", merged.toString(), "--ref-model", model.toString(), "--dataset",
                train.toString(), "--eval-dataset", eval.toString(), "--output-dir", ev.toString(), "--eval-only"));
        JsonNode res = DpoFixtures.JSON.readTree(ev.resolve("eval_results.json").toFile());
        // the merged weights are saved in the base's BF16, so the margins agree to bf16 rounding
        assertEquals(last.get("eval_rewards/margins").asDouble(), res.get("eval_rewards/margins").asDouble(),
                0.05 * Math.abs(last.get("eval_rewards/margins").asDouble()) + 0.05);
        assertTrue(Files.isRegularFile(merged.resolve("model.safetensors")));
    }
}
