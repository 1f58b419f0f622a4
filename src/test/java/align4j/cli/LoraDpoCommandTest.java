package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.PeftAdapter;
import align4j.io.SafetensorsReader;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align4j dpo --use-peft} and {@code align4j merge-lora} end to end on DpoCommandTest's fixtures. */
class LoraDpoCommandTest {
    @TempDir
    static Path shared;
    static Path model, train, eval, trained;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        train = DpoFixtures.pairs(shared.resolve("train.jsonl"), 96, 1);
        eval = DpoFixtures.pairs(shared.resolve("eval.jsonl"), 32, 2);
        trained = shared.resolve("lora");
        assertEquals(0, run(trained, 24, "--save-steps", "12"));
    }

    static int run(Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("dpo", "--model", model.toString(), "--dataset", train.toString(),
                "--eval-dataset", eval.toString(), "--output-dir", out.toString(), "--use-peft", "--lora-r", "8",
                "--lora-alpha", "16", "--lora-target-modules", "all-linear", "--learning-rate", "1e-2", "--batch-size", "8",
                "--max-steps", String.valueOf(steps), "--logging-steps", "4", "--warmup-ratio", "0.1", "--threads", "1",
                "--seed", "3"));
        a.addAll(List.of(extra));
        return Main.run(a.toArray(new String[0]));
    }

    static List<JsonNode> evalLines(Path out) throws Exception {
        return DpoCommandTest.evalLines(CliRuns.metrics(out));
    }

    @Test
    void loraDpoRaisesHeldOutAccuracyAndWritesAPeftFolder() throws Exception {
        List<JsonNode> ev = evalLines(trained);
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        // at step 0 the policy is the reference (B = 0): margins 0, accuracy 0
        assertTrue(last.get("eval_rewards/accuracies").asDouble() >= 0.9, last.toString());
        assertTrue(last.get("eval_rewards/margins").asDouble() > first.get("eval_rewards/margins").asDouble());
        assertTrue(Files.isRegularFile(trained.resolve(PeftAdapter.CONFIG_FILE)));
        assertTrue(Files.isRegularFile(trained.resolve(PeftAdapter.WEIGHTS_FILE)));
        assertFalse(Files.exists(trained.resolve("model.safetensors")), "with PEFT only the adapter is saved");
        JsonNode cfg = DpoFixtures.JSON.readTree(trained.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals(8, cfg.get("r").asInt());
        assertEquals(16, cfg.get("lora_alpha").asInt());
        assertTrue(cfg.get("fan_in_fan_out").asBoolean(), "GPT-2's Conv1D");
        assertEquals(model.toString(), cfg.get("base_model_name_or_path").asText());
        // the checkpoint holds the adapters and their AdamW moments, not the frozen base
        try (SafetensorsReader r = SafetensorsReader.open(trained.resolve("checkpoint-12/model.safetensors"));
             SafetensorsReader o = SafetensorsReader.open(trained.resolve("checkpoint-12/optimizer.safetensors"))) {
            assertEquals(2 * 4 * 2, r.tensors().size());
            for (String n : r.tensors().keySet()) assertTrue(n.contains(".lora_"), n);
            assertEquals(2 * r.tensors().size(), o.tensors().size());
        }
    }

    @Test
    void mergedModelEvaluatesLikeTheAdapterAndContinuingFromTheAdapterKeepsTheBaseAsReference(@TempDir Path tmp) throws Exception {
        JsonNode last = evalLines(trained).getLast();
        Path merged = tmp.resolve("merged");
        assertEquals(0, Main.run("merge-lora", "--model", model.toString(), "--adapter", trained.toString(),
                "--output-dir", merged.toString()));
        assertTrue(Files.isRegularFile(merged.resolve("model.safetensors")) && Files.isRegularFile(merged.resolve("config.json")));
        // eval-only of the merged full model against the base as reference = the adapter run's last evaluation
        Path a = tmp.resolve("eval-merged");
        assertEquals(0, Main.run("dpo", "--model", merged.toString(), "--ref-model", model.toString(), "--dataset",
                train.toString(), "--eval-dataset", eval.toString(), "--output-dir", a.toString(), "--eval-only"));
        // eval-only of the adapter folder itself: loads its base, reference = base with adapters off
        Path b = tmp.resolve("eval-adapter");
        assertEquals(0, Main.run("dpo", "--model", trained.toString(), "--dataset", train.toString(), "--eval-dataset",
                eval.toString(), "--output-dir", b.toString(), "--eval-only"));
        for (Path p : List.of(a, b)) {
            JsonNode got = DpoFixtures.JSON.readTree(p.resolve("eval_results.json").toFile());
            for (String k : List.of("eval_loss", "eval_rewards/accuracies", "eval_rewards/margins", "eval_logps/chosen")) {
                double want = last.get(k).asDouble();
                assertEquals(want, got.get(k).asDouble(), 1e-4 * Math.max(1, Math.abs(want)), p.getFileName() + " " + k);
            }
        }
    }

    @Test
    void checkpointingGivesTheSameRunAndBf16WeightsAClose1(@TempDir Path tmp) throws Exception {
        assertEquals(0, run(tmp.resolve("plain"), 3));
        assertEquals(0, run(tmp.resolve("ckpt"), 3, "--gradient-checkpointing", "--lora-dropout", "0"));
        assertEquals(0, run(tmp.resolve("bf16"), 3, "--gradient-checkpointing", "--weights-dtype", "bf16"));
        List<JsonNode> p = CliRuns.metrics(tmp.resolve("plain")), c = CliRuns.metrics(tmp.resolve("ckpt")),
                b = CliRuns.metrics(tmp.resolve("bf16"));
        assertEquals(p.size(), c.size());
        for (int i = 0; i < p.size(); i++) assertEquals(p.get(i).toString(), c.get(i).toString(), "bit-identical training");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("plain").resolve(PeftAdapter.WEIGHTS_FILE)),
                Files.readAllBytes(tmp.resolve("ckpt").resolve(PeftAdapter.WEIGHTS_FILE)));
        double lp = p.getLast().get("eval_loss").asDouble(), lb = b.getLast().get("eval_loss").asDouble();
        assertNotEquals(lp, lb, "bf16 rounds the base weights");
        assertEquals(lp, lb, 2e-2, "but only by bf16's rounding");
    }

    @Test
    void resumingFromACheckpointRestoresTheAdaptersAndTheirOptimizerState(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("resumed");
        Files.createDirectories(out);
        assertEquals(0, run(out, 24, "--resume-from-checkpoint", trained.resolve("checkpoint-12").toString()));
        assertArrayEquals(Files.readAllBytes(trained.resolve(PeftAdapter.WEIGHTS_FILE)),
                Files.readAllBytes(out.resolve(PeftAdapter.WEIGHTS_FILE)));
    }

    @Test
    void trainingContinuesFromAnAdapterFolderAgainstTheBase(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("more");
        assertEquals(0, Main.run("dpo", "--model", trained.toString(), "--dataset", train.toString(), "--output-dir",
                out.toString(), "--learning-rate", "1e-2", "--batch-size", "8", "--max-steps", "2", "--logging-steps", "1",
                "--threads", "1"));
        // the reference is the base, so the first step's loss is already below ln 2 (a fresh adapter's)
        double first = CliRuns.metrics(out).get(0).get("loss").asDouble();
        assertTrue(first < Math.log(2) - 0.01, "loss " + first);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(trained.resolve(PeftAdapter.WEIGHTS_FILE)),
                Files.readAllBytes(out.resolve(PeftAdapter.WEIGHTS_FILE))));
        assertEquals(DpoFixtures.JSON.readTree(trained.resolve(PeftAdapter.CONFIG_FILE).toFile()),
                DpoFixtures.JSON.readTree(out.resolve(PeftAdapter.CONFIG_FILE).toFile()));
    }

    @Test
    void peftOptionsComeFromAConfigFileWithTrlsKeys(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("dpo.yaml");
        Files.writeString(cfg, "use_peft: true\nlora_r: 4\nlora_alpha: 8\nlora_target_modules: [c_attn, c_fc]\n"
                + "gradient_checkpointing: true\nmax_steps: 1\n");
        Path out = tmp.resolve("out");
        assertEquals(0, Main.run("dpo", "--config", cfg.toString(), "--model", model.toString(), "--dataset", train.toString(),
                "--output-dir", out.toString(), "--threads", "1"));
        JsonNode c = DpoFixtures.JSON.readTree(out.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals(4, c.get("r").asInt());
        assertEquals("[\"c_attn\",\"c_fc\"]", c.get("target_modules").toString());
    }

    @Test
    void bf16WeightsWithoutPeftIsAClearError(@TempDir Path tmp) {
        var run = CliRuns.capturingStderr("dpo", "--model", model.toString(), "--dataset", train.toString(), "--output-dir",
                tmp.toString(), "--weights-dtype", "bf16");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("--use-peft"), run.err());
    }
}
