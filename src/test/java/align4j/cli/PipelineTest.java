package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole preference-tuning pipeline through the command line, each command reading what the one before wrote,
 * as docs/commands.md chains them: sft → generate → collect (labelled pairs) → reward → score → dpo (full and LoRA) →
 * merge-lora → explain → best-of-n → ppo → grpo → rloo. Each command's own tests check its numbers; this one
 * checks that the files one writes are what the next reads (formats, folders, tokenizer files, names).
 */
class PipelineTest {
    @TempDir
    Path tmp;

    private static String s(Path p) {
        return p.toString();
    }

    private Path base() throws Exception {
        Path dir = tmp.resolve("base");
        ModelConfig cfg = TinyModels.config(TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB).put("intermediate_size", 32)
                .put("num_key_value_heads", 1).put("max_position_embeddings", 128).put("eos_token_id", 2).put("bos_token_id", 1), "tiny");
        return TinyModels.save(dir, cfg, ModelInit.random(cfg, 4), "llama2");
    }

    private static void run(String... args) {
        assertEquals(0, Main.run(args), String.join(" ", args));
    }

    private static List<String> lines(Path p) throws Exception {
        return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void everyCommandReadsWhatThePreviousOneWrote() throws Exception {
        Path base = base();
        Path sftData = tmp.resolve("sft.jsonl");
        Files.writeString(sftData, """
                {"prompt": "The sky is", "completion": " blue today."}
                {"prompt": "Grass is", "completion": " green and long."}
                {"prompt": "Snow is", "completion": " white and cold."}
                {"prompt": "The sea is", "completion": " deep and wide."}
                """);
        Path prompts = tmp.resolve("prompts.jsonl");
        Files.writeString(prompts, """
                {"prompt": "The sky is"}
                {"prompt": "Grass is"}
                {"prompt": "Snow is"}
                {"prompt": "The sea is"}
                """);
        String[] quick = {"--threads", "1", "--seed", "3"};

        Path sft = tmp.resolve("sft");
        run(cat(new String[] {"sft", "--model", s(base), "--dataset", s(sftData), "--output-dir", s(sft), "--max-steps", "4",
                "--per-device-train-batch-size", "2", "--learning-rate", "1e-3"}, quick));
        assertTrue(Files.isRegularFile(sft.resolve("tokenizer.json")) && Files.isRegularFile(sft.resolve("model.safetensors")));

        Path gen = tmp.resolve("gen.jsonl");
        run(cat(new String[] {"generate", "--model", s(sft), "--prompts", s(prompts), "--out", s(gen), "--max-new-tokens", "6",
                "--num-return-sequences", "2"}, quick));
        assertEquals(8, lines(gen).size());

        Path pairs = tmp.resolve("pairs.jsonl");
        run(cat(new String[] {"collect", "--policy", s(sft), "--prompts", s(prompts), "--out", s(pairs), "--num-samples", "4",
                "--temperature", "1.0", "--max-new-tokens", "8", "--label", "function:length", "--pairs", "all"}, quick));
        int nPairs = lines(pairs).size();
        assertTrue(nPairs >= 4, "pairs: " + nPairs);

        Path rm = tmp.resolve("rm");
        run(cat(new String[] {"reward", "--model", s(sft), "--dataset", s(pairs), "--output-dir", s(rm), "--max-steps", "3",
                "--per-device-train-batch-size", "4"}, quick));
        JsonNode rmConfig = DpoFixtures.JSON.readTree(rm.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", rmConfig.get("architectures").get(0).asText());

        Path scored = tmp.resolve("scored.jsonl");
        run("score", "--model", s(rm), "--data", s(pairs), "--out", s(scored), "--threads", "1");
        assertEquals(nPairs, lines(scored).size());
        assertTrue(DpoFixtures.JSON.readTree(lines(scored).get(0)).has("chosen_score"));

        Path dpo = tmp.resolve("dpo");
        run(cat(new String[] {"dpo", "--model", s(sft), "--dataset", s(pairs), "--output-dir", s(dpo), "--max-steps", "3",
                "--per-device-train-batch-size", "4", "--learning-rate", "1e-3"}, quick));
        assertTrue(Files.isRegularFile(dpo.resolve("metrics.jsonl")) && Files.isRegularFile(dpo.resolve("tokenizer.json")));

        Path lora = tmp.resolve("lora");
        run(cat(new String[] {"dpo", "--model", s(sft), "--dataset", s(pairs), "--output-dir", s(lora), "--max-steps", "2",
                "--per-device-train-batch-size", "4", "--use-peft", "--lora-r", "4", "--lora-target-modules", "all-linear"}, quick));
        assertTrue(Files.isRegularFile(lora.resolve("adapter_model.safetensors")));
        Path merged = tmp.resolve("merged");
        run("merge-lora", "--model", s(sft), "--adapter", s(lora), "--output-dir", s(merged));
        assertTrue(Files.isRegularFile(merged.resolve("model.safetensors")));

        Path html = tmp.resolve("explain.html");
        run("explain", "--policy", s(dpo), "--ref-model", s(sft), "--data", s(pairs), "--out", s(html), "--threads", "1");
        assertTrue(Files.readString(html).contains("<html"));

        Path best = tmp.resolve("best.jsonl");
        run(cat(new String[] {"best-of-n", "--policy", s(dpo), "--prompts", s(prompts), "--n", "3", "--reward-model", s(rm),
                "--out", s(best), "--max-new-tokens", "6"}, quick));
        assertEquals(4, lines(best).size());

        Path ppo = tmp.resolve("ppo");
        run(cat(new String[] {"ppo", "--model", s(sft), "--dataset", s(prompts), "--reward-model", s(rm), "--output-dir", s(ppo),
                "--max-steps", "2", "--per-device-train-batch-size", "4", "--response-length", "6"}, quick));
        assertTrue(Files.readString(ppo.resolve("metrics.jsonl")).contains("objective/rlhf_reward"));

        Path grpo = tmp.resolve("grpo");
        run(cat(new String[] {"grpo", "--model", s(sft), "--dataset", s(prompts), "--reward-funcs", "word-count", "--output-dir",
                s(grpo), "--max-steps", "2", "--num-generations", "2", "--per-device-train-batch-size", "4",
                "--max-completion-length", "6"}, quick));
        assertTrue(Files.isRegularFile(grpo.resolve("metrics.jsonl")));

        Path rloo = tmp.resolve("rloo");
        run(cat(new String[] {"rloo", "--model", s(sft), "--dataset", s(prompts), "--reward-model", s(rm), "--output-dir", s(rloo),
                "--max-steps", "2", "--rloo-k", "2", "--per-device-train-batch-size", "4", "--max-completion-length", "6"}, quick));
        assertTrue(Files.isRegularFile(rloo.resolve("model.safetensors")));
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
