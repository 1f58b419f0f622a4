package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.data.SequenceExample;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import align4j.train.SftTask;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align4j sft} on the tiny GPT-2 of {@link DpoFixtures}: a learnable completion rule, held-out NLL. */
class SftCommandTest {
    /** Completion = the 4 ids counting up from the prompt's last id (mod 48): learnable, so held-out NLL can fall far below log 48. */
    static Path data(Path file, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                int[] p = r.ints(3 + r.nextInt(3), 0, 48).toArray();
                ObjectNode o = DpoFixtures.JSON.createObjectNode();
                var pa = o.putArray("prompt_input_ids");
                var ca = o.putArray("completion_input_ids");
                for (int id : p) pa.add(id);
                for (int j = 1; j <= 4; j++) ca.add((p[p.length - 1] + j) % 48);
                w.write(DpoFixtures.JSON.writeValueAsString(o));
                w.newLine();
            }
        }
        return file;
    }

    @Test
    void trainingLowersHeldOutNllAndSavesTheTrainedModel(@TempDir Path tmp) throws Exception {
        Path model = DpoFixtures.tinyModel(tmp.resolve("model"));
        Path train = data(tmp.resolve("train.jsonl"), 128, 1), eval = data(tmp.resolve("eval.jsonl"), 32, 2);
        Path out = tmp.resolve("out");
        assertEquals(0, Main.run("sft", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", out.toString(), "--learning-rate", "3e-3", "--per-device-train-batch-size", "8",
                "--max-steps", "60", "--logging-steps", "10", "--threads", "1", "--seed", "1"));
        List<JsonNode> ev = new ArrayList<>();
        for (String s : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = DpoFixtures.JSON.readTree(s);
            if (n.has("eval_loss")) ev.add(n);
            else assertTrue(n.has("loss") && n.has("mean_token_accuracy") && n.has("entropy") && n.has("grad_norm")
                    && n.has("learning_rate") && n.has("epoch"), s);
        }
        double before = untrainedNll(model, eval);
        double after = ev.get(ev.size() - 1).get("eval_loss").asDouble();
        assertTrue(before > 3.5, "untrained NLL " + before); // ≈ log 48 = 3.87
        assertTrue(after < 0.7 * before, "held-out NLL " + before + " → " + after);
        assertTrue(ev.get(ev.size() - 1).get("eval_mean_token_accuracy").asDouble() > 0.5, ev.get(ev.size() - 1).toString());
        // the saved model gives the last eval loss, and so does --eval-only on it (TRL's trainer.evaluate())
        assertEquals(after, untrainedNll(out, eval), 1e-4);
        Path evalOnly = tmp.resolve("eval-only");
        assertEquals(0, Main.run("sft", "--model", out.toString(), "--dataset", eval.toString(), "--output-dir", evalOnly.toString(),
                "--eval-only", "--threads", "1"));
        assertEquals(after, DpoFixtures.JSON.readTree(evalOnly.resolve("eval_results.json").toFile()).get("eval_loss").asDouble(), 1e-4);
    }

    /**
     * --use-peft: only LoRA adapters train; the output is a PEFT folder (no full model), and merging it into the
     * base (merge-lora) gives a model whose held-out NLL is the run's last eval_loss, below the base's (3.90 → 3.36).
     */
    @Test
    void loraSftSavesAnAdapterThatMergesIntoTheTrainedModel(@TempDir Path tmp) throws Exception {
        Path model = DpoFixtures.tinyModel(tmp.resolve("model"));
        Path train = data(tmp.resolve("train.jsonl"), 128, 1), eval = data(tmp.resolve("eval.jsonl"), 32, 2);
        Path out = tmp.resolve("out"), merged = tmp.resolve("merged");
        assertEquals(0, Main.run("sft", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", out.toString(), "--learning-rate", "3e-3", "--per-device-train-batch-size", "8",
                "--max-steps", "200", "--logging-steps", "200", "--threads", "1", "--seed", "1",
                "--use-peft", "--lora-r", "8", "--lora-target-modules", "all-linear"));
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
        assertFalse(Files.exists(out.resolve("model.safetensors")), "with PEFT only the adapters are saved");
        JsonNode last = null;
        for (String s : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = DpoFixtures.JSON.readTree(s);
            if (n.has("eval_loss")) last = n;
        }
        assertNotNull(last);
        // eval_results.json holds the last evaluation's eval_ metrics, as transformers' Trainer saves them
        JsonNode results = DpoFixtures.JSON.readTree(out.resolve("eval_results.json").toFile());
        assertEquals(last.get("eval_loss").asDouble(), results.get("eval_loss").asDouble(), 0);
        results.fieldNames().forEachRemaining(k -> assertTrue(k.startsWith("eval_"), k));
        assertEquals(0, Main.run("merge-lora", "--model", model.toString(), "--adapter", out.toString(), "--output-dir", merged.toString()));
        double before = untrainedNll(model, eval), after = untrainedNll(merged, eval);
        assertEquals(last.get("eval_loss").asDouble(), after, 1e-4);
        assertTrue(after < 0.9 * before, "held-out NLL " + before + " → " + after);
    }

    /** Mean completion NLL of a model folder on a data file, via SftTask.evaluate. */
    static double untrainedNll(Path modelDir, Path file) throws Exception {
        LoadedModel lm = HfModel.load(modelDir);
        Transformer t = new Transformer(lm.config(), lm.tensors());
        List<SequenceExample> ex = new ArrayList<>();
        for (String s : Files.readAllLines(file)) {
            JsonNode o = DpoFixtures.JSON.readTree(s);
            int[] p = DpoFixtures.JSON.convertValue(o.get("prompt_input_ids"), int[].class);
            int[] c = DpoFixtures.JSON.convertValue(o.get("completion_input_ids"), int[].class);
            int[] ids = Arrays.copyOf(p, p.length + c.length);
            System.arraycopy(c, 0, ids, p.length, c.length);
            boolean[] mask = new boolean[ids.length];
            Arrays.fill(mask, p.length, ids.length, true);
            ex.add(new SequenceExample("x", ids, p.length, mask, null));
        }
        return new SftTask(t, ex, null, 8).evaluate(ex, 8).mean("loss");
    }

    @Test
    void aRecordWithoutSftFieldsNamesFileAndLine(@TempDir Path tmp) throws Exception {
        Path model = DpoFixtures.tinyModel(tmp.resolve("model"));
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"input_ids\":[1,2,3]}\n{\"question\":\"hi\"}\n");
        var run = CliRuns.capturingStderr("sft", "--model", model.toString(), "--dataset", bad.toString(), "--output-dir",
                tmp.resolve("o").toString());
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("line 2") && run.err().contains("text"), run.err());
    }
}
