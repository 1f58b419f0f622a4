package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.eval.RewardModel;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.SafetensorsReader;
import align4j.loss.BradleyTerryLoss;
import align4j.model.Lora;
import align4j.model.LoraConfig;
import align4j.model.ModelGradCheck;
import align4j.model.ParamNames;
import align4j.tensor.Tensor;
import align4j.train.Pairs;
import align4j.train.RewardTask;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j reward --use-peft}: LoRA adapters and the score head train (PEFT's SEQ_CLS modules_to_save), the
 * backbone stays frozen, and the adapter folder scores the same whether its adapters run unmerged (training,
 * --eval-only) or merged into the base (score, merge-lora).
 */
class RewardLoraTest {
    @TempDir
    static Path shared;
    static Path model, train, eval;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        train = DpoFixtures.pairs(shared.resolve("train.jsonl"), 96, 1);
        eval = DpoFixtures.pairs(shared.resolve("eval.jsonl"), 32, 2);
    }

    @Test
    void loraRewardTrainingSavesASeqClsAdapterThatScoresTheSameMergedOrNot(@TempDir Path out) throws Exception {
        Path adapter = out.resolve("adapter");
        assertEquals(0, Main.run("reward", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", adapter.toString(), "--use-peft", "--lora-r", "4", "--lora-alpha", "8",
                "--lora-target-modules", "all-linear", "--learning-rate", "1e-2", "--batch-size", "8", "--max-steps", "24",
                "--logging-steps", "4", "--threads", "1", "--seed", "3"));
        List<JsonNode> ev = new ArrayList<>();
        for (String s : Files.readAllLines(adapter.resolve("metrics.jsonl"))) {
            JsonNode n = DpoFixtures.JSON.readTree(s);
            if (n.has("eval_accuracy")) ev.add(n);
        }
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        assertTrue(last.get("eval_loss").asDouble() < first.get("eval_loss").asDouble(), "eval loss " + first + " → " + last);
        assertTrue(last.get("eval_accuracy").asDouble() >= 0.8, "held-out accuracy " + last);

        // a PEFT sequence-classification adapter: LoRA tensors and the score head, nothing of the frozen backbone
        JsonNode cfg = DpoFixtures.JSON.readTree(adapter.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals("SEQ_CLS", cfg.get("task_type").asText());
        assertEquals("[\"classifier\",\"score\"]", cfg.get("modules_to_save").toString());
        assertEquals(model.toString(), cfg.get("base_model_name_or_path").asText());
        Set<String> keys;
        try (SafetensorsReader r = SafetensorsReader.open(adapter.resolve(PeftAdapter.WEIGHTS_FILE))) {
            keys = r.tensors().keySet();
        }
        assertTrue(keys.contains(PeftAdapter.SCORE_KEY), keys.toString());
        for (String k : keys) assertTrue(k.equals(PeftAdapter.SCORE_KEY) || k.endsWith(".lora_A.weight") || k.endsWith(".lora_B.weight"), k);
        assertEquals(1 + 2 * 4 * 2, keys.size()); // score + A, B of 4 modules in each of the 2 layers

        // --eval-only runs the adapters unmerged on the base and reproduces the last eval metrics
        Path again = out.resolve("again");
        assertEquals(0, Main.run("reward", "--model", adapter.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", again.toString(), "--eval-only", "--threads", "1"));
        JsonNode res = DpoFixtures.JSON.readTree(again.resolve("eval_results.json").toFile());
        assertEquals(last.get("eval_accuracy").asDouble(), res.get("eval_accuracy").asDouble(), 1e-9);
        assertEquals(last.get("eval_loss").asDouble(), res.get("eval_loss").asDouble(), 1e-4);

        // RewardModel.load (what score, collect --label and ppo --reward-model use) merges the adapters into the
        // base: its Bradley–Terry loss on the eval pairs is the one training logged with the adapters unmerged
        Pairs p = readPairs(eval);
        RewardModel merged = RewardModel.load(adapter);
        RewardModel.PairScores s = merged.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
        double loss = new BradleyTerryLoss(0).compute(s.chosen(), s.rejected(), null).toMap("").get("loss");
        assertEquals(last.get("eval_loss").asDouble(), loss, 1e-4);

        // merge-lora writes that merged model as a reward model folder; the frozen tensors are the base's
        Path full = out.resolve("merged");
        assertEquals(0, Main.run("merge-lora", "--adapter", adapter.toString(), "--output-dir", full.toString()));
        RewardModel saved = RewardModel.load(full);
        RewardModel.PairScores s2 = saved.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
        assertArrayEquals(s.chosen(), s2.chosen(), 1e-6);
        assertArrayEquals(s.rejected(), s2.rejected(), 1e-6);
        LoadedModel base = HfModel.load(model);
        var tensors = saved.backbone().parameterMap();
        assertArrayEquals(base.tensors().get(ParamNames.EMBED).data, tensors.get(ParamNames.EMBED).data);
        String qkv = ParamNames.layer(0, "qkv.weight");
        assertFalse(java.util.Arrays.equals(base.tensors().get(qkv).data, tensors.get(qkv).data), "the adapters changed " + qkv);

        // --model the adapter folder keeps training it (its score head and adapters, not fresh ones)
        Path more = out.resolve("more");
        assertEquals(0, Main.run("reward", "--model", adapter.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", more.toString(), "--learning-rate", "1e-2", "--batch-size", "8", "--max-steps", "4",
                "--eval-steps", "100", "--threads", "1"));
        JsonNode firstMore = null;
        for (String line : Files.readAllLines(more.resolve("metrics.jsonl"))) {
            JsonNode n = DpoFixtures.JSON.readTree(line);
            if (n.has("eval_loss") && firstMore == null) firstMore = n;
        }
        assertNotNull(firstMore);
        assertTrue(firstMore.get("eval_loss").asDouble() < first.get("eval_loss").asDouble(), "continued from " + firstMore);
        assertTrue(PeftAdapter.load(more).sequenceClassification());
    }

    /** ∂loss/∂θ for the adapters (B drawn non-zero, so A's gradient is too) and the score head, by central differences. */
    @Test
    void loraRewardGradientMatchesFiniteDifferences() throws Exception {
        LoadedModel lm = HfModel.load(model);
        RewardModel rm = RewardModel.fromLanguageModel(lm, 0, 7);
        Lora lora = Lora.create(rm.config(), new LoraConfig(3, 6, 0, List.of("all-linear")), 11);
        SplittableRandom r = new SplittableRandom(2);
        for (Lora.Adapter a : lora.adapters()) for (int i = 0; i < a.b.data.length; i++) a.b.data[i] = (float) (0.1 * r.nextGaussian());
        rm.backbone().setLora(lora);
        Pairs ps = RewardCommandTest.pairs(4, 5, lm.config().vocabSize());
        double[] margin = {0.3, 0, -0.4, 0.2};
        RewardTask task = new RewardTask(rm, new BradleyTerryLoss(0.1), ps, margin, null, null, 8);
        List<Tensor> trained = new ArrayList<>(lora.parameters());
        trained.add(rm.head().weight());
        for (Tensor t : trained) t.zeroGrad();
        task.train(new int[] {0, 1, 2, 3}, 1.0);
        assertNull(rm.backbone().parameterMap().get(ParamNames.EMBED).grad, "the backbone is frozen");
        List<Tensor> checked = List.of(rm.head().weight(), lora.adapters().get(0).a, lora.adapters().get(0).b,
                lora.adapters().get(5).a, lora.adapters().get(7).b);
        for (Tensor t : checked) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.05 * Math.max(Math.sqrt(rms / t.size()), 0.02);
            double numeric = (4 * RewardCommandTest.central(task, ps, margin, t, dir.u(), h / 2)
                    - RewardCommandTest.central(task, ps, margin, t, dir.u(), h)) / 3;
            assertTrue(Math.abs(dir.analytic()) > 1e-4, t.name + " has a gradient to check");
            assertEquals(numeric, dir.analytic(), 0.03 * Math.abs(numeric) + 1e-4, t.name);
        }
    }

    /** The token-id pairs of a DpoFixtures file, read here without the dataset loader. */
    static Pairs readPairs(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        int n = lines.size();
        int[][] pr = new int[n][], ch = new int[n][], rj = new int[n][];
        for (int i = 0; i < n; i++) {
            JsonNode j = DpoFixtures.JSON.readTree(lines.get(i));
            pr[i] = DpoFixtures.JSON.convertValue(j.get("prompt_input_ids"), int[].class);
            ch[i] = DpoFixtures.JSON.convertValue(j.get("chosen_input_ids"), int[].class);
            rj[i] = DpoFixtures.JSON.convertValue(j.get("rejected_input_ids"), int[].class);
        }
        return new Pairs(pr, ch, rj, new String[n]);
    }

    /** A language model's adapter is not a reward model: the error names the file and the field. */
    @Test
    void aLanguageModelsAdapterIsNotARewardModel(@TempDir Path out) throws Exception {
        LoadedModel lm = HfModel.load(model);
        PeftAdapter.save(out, Lora.create(lm.config(), new LoraConfig(2, 4, 0, null), 1), model.toString());
        var e = assertThrows(align4j.model.ModelFormatException.class, () -> RewardModel.load(out));
        assertTrue(e.getMessage().contains(out.resolve(PeftAdapter.CONFIG_FILE).toString()) && e.getMessage().contains("task_type"),
                e.getMessage());
    }
}
