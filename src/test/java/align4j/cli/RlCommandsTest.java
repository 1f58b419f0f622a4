package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.SafetensorsReader;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** align4j ppo / grpo / rloo end to end on the tiny model: TRL's metric names, saved outputs, config files, resume. */
class RlCommandsTest {
    @TempDir
    static Path shared;
    static Path model, prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        prompts = shared.resolve("prompts.jsonl");
        DpoFixtures.randomPrompts(prompts, 16, 4);
    }

    static String[] ppoArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("ppo", "--model", model.toString(), "--dataset", prompts.toString(),
                "--reward-funcs", "target-token:7", "--output-dir", out.toString(), "--response-length", "5",
                "--per-device-train-batch-size", "4", "--num-mini-batches", "2", "--num-ppo-epochs", "2",
                "--learning-rate", "3e-3", "--max-steps", "4", "--logging-steps", "1", "--threads", "1", "--stop-token-id", "0"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void ppoWritesTrlMetricsTheModelAndTheValueHead(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run(ppoArgs(out, "--adap-kl-ctrl", "--missing-eos-penalty", "1.0")));
        List<JsonNode> m = CliRuns.metrics(out);
        assertEquals(4, m.size());
        for (String k : List.of("objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward",
                "objective/scores", "policy/approxkl_avg", "policy/clipfrac_avg", "loss/policy_avg", "loss/value_avg",
                "val/clipfrac_avg", "val/ratio", "val/ratio_var", "policy/entropy_avg", "val/num_eos_tokens", "learning_rate", "episode", "objective/kl_coef")) {
            assertTrue(m.get(3).has(k), k + " missing from " + m.get(3));
        }
        // the adaptive controller moved β away from init_kl_coef = 0.2
        assertNotEquals(0.2, m.get(3).get("objective/kl_coef").asDouble());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("value_head.safetensors")));
    }

    @Test
    void ppoResumedFromACheckpointEqualsAnUninterruptedRun(@TempDir Path a, @TempDir Path b) throws Exception {
        assertEquals(0, Main.run(ppoArgs(a, "--save-steps", "2", "--adap-kl-ctrl")));
        CliRuns.copyTree(a.resolve("checkpoint-2"), b.resolve("checkpoint-2"));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        Files.write(b.resolve("metrics.jsonl"), lines.subList(0, 2));
        assertEquals(0, Main.run(ppoArgs(b, "--save-steps", "2", "--adap-kl-ctrl", "--resume-from-checkpoint", b.resolve("checkpoint-2").toString())));
        assertEquals(lines, Files.readAllLines(b.resolve("metrics.jsonl")));
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(a.resolve("value_head.safetensors")), Files.readAllBytes(b.resolve("value_head.safetensors")));
    }

    /**
     * --use-peft: only LoRA adapters train, the reference is the base with the adapters off, and the output is a
     * PEFT folder. The adapters start as the identity (B = 0), so the first step's KL to the reference is exactly
     * 0; once they have trained it is not (it would stay 0 if the reference ran with the adapters on).
     */
    @Test
    void grpoAndPpoTrainLoraAdaptersWithTheBaseAsReference(@TempDir Path out) throws Exception {
        Path g = out.resolve("grpo"), p = out.resolve("ppo");
        assertEquals(0, Main.run("grpo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs", "target-token:7",
                "--output-dir", g.toString(), "--num-generations", "4", "--beta", "0.04", "--max-completion-length", "5",
                "--per-device-train-batch-size", "8", "--learning-rate", "0.05", "--max-steps", "5", "--logging-steps", "1",
                "--threads", "1", "--use-peft", "--lora-r", "4", "--lora-target-modules", "all-linear"));
        List<JsonNode> m = CliRuns.metrics(g);
        assertEquals(0.0, m.get(0).get("kl").asDouble(), 1e-12, "step 1: the policy is its base");
        // the first steps' groups may all score alike (no gradient); once one has not, the adapters have moved
        int moved = 0;
        while (moved < m.size() && m.get(moved).get("grad_norm").asDouble() == 0) moved++;
        assertTrue(moved < m.size() - 1, "no step with a gradient before the last: " + m);
        assertTrue(m.get(moved + 1).get("kl").asDouble() > 1e-6, "after step " + (moved + 1) + " the adapters moved the policy off its base: " + m);
        assertTrue(Files.isRegularFile(g.resolve("adapter_config.json")));
        assertTrue(Files.isRegularFile(g.resolve("adapter_model.safetensors")));
        assertFalse(Files.exists(g.resolve("model.safetensors")), "with PEFT only the adapters are saved");

        assertEquals(0, Main.run(ppoArgs(p, "--use-peft", "--lora-target-modules", "all-linear", "--learning-rate", "0.05")));
        List<JsonNode> pm = CliRuns.metrics(p);
        assertEquals(0.0, pm.get(0).get("objective/kl").asDouble(), 1e-12);
        assertTrue(pm.get(3).get("objective/kl").asDouble() != 0, pm.get(3).toString());
        assertTrue(Files.isRegularFile(p.resolve("adapter_model.safetensors")));
        assertTrue(Files.isRegularFile(p.resolve("value_head.safetensors")));
        assertFalse(Files.exists(p.resolve("model.safetensors")));
    }

    /** A LoRA PPO run resumed from its checkpoint (adapters, value head, AdamW state) ends as an uninterrupted one. */
    @Test
    void loraPpoResumedFromACheckpointEqualsAnUninterruptedRun(@TempDir Path a, @TempDir Path b) throws Exception {
        String[] peft = {"--save-steps", "2", "--use-peft", "--lora-r", "4", "--lora-target-modules", "all-linear"};
        assertEquals(0, Main.run(ppoArgs(a, peft)));
        // the checkpoint holds the trained tensors only: the adapters and the value head, not the frozen base
        try (SafetensorsReader ck = SafetensorsReader.open(a.resolve("checkpoint-2").resolve("model.safetensors"))) {
            for (String name : ck.tensors().keySet()) assertTrue(name.contains("lora_") || name.startsWith("v_head."), name);
        }
        CliRuns.copyTree(a.resolve("checkpoint-2"), b.resolve("checkpoint-2"));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        Files.write(b.resolve("metrics.jsonl"), lines.subList(0, 2));
        List<String> resume = new ArrayList<>(List.of(peft));
        resume.addAll(List.of("--resume-from-checkpoint", b.resolve("checkpoint-2").toString()));
        assertEquals(0, Main.run(ppoArgs(b, resume.toArray(new String[0]))));
        assertEquals(lines, Files.readAllLines(b.resolve("metrics.jsonl")));
        assertArrayEquals(Files.readAllBytes(a.resolve("adapter_model.safetensors")), Files.readAllBytes(b.resolve("adapter_model.safetensors")));
        assertArrayEquals(Files.readAllBytes(a.resolve("value_head.safetensors")), Files.readAllBytes(b.resolve("value_head.safetensors")));
    }

    @Test
    void grpoAndRlooRunFromAConfigFile(@TempDir Path out) throws Exception {
        Path cfg = out.resolve("grpo.yaml");
        Files.writeString(cfg, "num_generations: 4\nbeta: 0.04\nloss_type: grpo\nmax_completion_length: 5\n"
                + "per_device_train_batch_size: 8\nlearning_rate: 0.003\nmax_steps: 2\nlogging_steps: 1\n");
        Path g = out.resolve("grpo"), r = out.resolve("rloo");
        assertEquals(0, Main.run("grpo", "--config", cfg.toString(), "--model", model.toString(), "--dataset", prompts.toString(),
                "--reward-funcs", "target-token:7", "--output-dir", g.toString(), "--threads", "1"));
        JsonNode last = CliRuns.metrics(g).get(1);
        for (String k : List.of("reward", "reward_std", "frac_reward_zero_std", "kl", "entropy", "loss", "clip_ratio/region_mean",
                "completions/mean_length")) {
            assertTrue(last.has(k), k + " missing from " + last);
        }
        // total_episodes 6 prompts at 4 completions / 2 per prompt = 2 prompts per step: 3 steps
        assertEquals(0, Main.run("rloo", "--model", model.toString(), "--dataset", prompts.toString(), "--rloo-k", "2",
                "--reward-funcs", "target-token:7", "--output-dir", r.toString(), "--max-completion-length", "4",
                "--per-device-train-batch-size", "4", "--total-episodes", "6", "--logging-steps", "1", "--threads", "1"));
        assertEquals(3, CliRuns.metrics(r).size());
        assertTrue(CliRuns.metrics(r).get(0).has("rlhf_reward"));
        assertTrue(Files.isRegularFile(r.resolve("model.safetensors")));
    }

    @Test
    void ppoTrainsAgainstARewardModelFolder(@TempDir Path out) throws Exception {
        Path rmDir = out.resolve("rm");
        align4j.io.LoadedModel lm = align4j.io.HfModel.load(model);
        align4j.io.RewardModelFolder.save(rmDir, align4j.io.RewardModelFolder.fromLanguageModel(lm, 0, 3), lm.layout().dtype());
        Path run = out.resolve("run");
        List<String> a = new ArrayList<>(Arrays.asList(ppoArgs(run)));
        int i = a.indexOf("--reward-funcs");
        a.set(i, "--reward-model");
        a.set(i + 1, rmDir.toString());
        assertEquals(0, Main.run(a.toArray(new String[0])));
        assertTrue(Double.isFinite(CliRuns.metrics(run).get(0).get("objective/scores").asDouble()));
        assertTrue(Files.isRegularFile(run.resolve("model.safetensors")));
    }

    @Test
    void badInputGivesAClearError(@TempDir Path out) throws Exception {
        assertEquals(2, Main.run("grpo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs", "target-token:99",
                "--output-dir", out.toString()));
        assertEquals(2, Main.run("grpo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs", "target-token:1",
                "--num-generations", "3", "--per-device-train-batch-size", "8", "--output-dir", out.toString()));
        Path bad = out.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt_input_ids\": [1, 2]}\n{\"prompt_input_ids\": [1, \"x\"]}\n");
        var run = CliRuns.capturingStderr("ppo", "--model", model.toString(), "--dataset", bad.toString(), "--reward-funcs",
                "target-token:1", "--output-dir", out.toString());
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("bad.jsonl, line 2") && run.err().contains("prompt_input_ids"), run.err());
    }
}
