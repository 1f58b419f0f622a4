package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.RewardModelFolder;
import align4j.io.SafetensorsReader;
import align4j.loss.BradleyTerryLoss;
import align4j.model.Lora;
import align4j.model.LoraConfig;
import align4j.model.ModelGradCheck;
import align4j.model.ParamNames;
import align4j.model.RewardModel;
import align4j.tensor.Tensor;
import align4j.data.Pairs;
import align4j.train.RewardTask;
import align4j.train.Stats;
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
 * {@code align4j reward} (full and with LoRA) on the tiny GPT-2 of {@link DpoFixtures} and its learnable preference
 * (chosen completions even ids, rejected odd), and the reward task's loss and gradient against independent computations.
 */
class RewardCommandTest {
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
    void trainingRaisesHeldOutAccuracyAndSavesAModelThatScoresAsTrained(@TempDir Path out) throws Exception {
        int rc = Main.run("reward", "--model", model.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", out.toString(), "--learning-rate", "1e-3", "--batch-size", "8", "--max-steps", "24",
                "--logging-steps", "4", "--center-rewards-coefficient", "0.01", "--threads", "1", "--seed", "3");
        assertEquals(0, rc);
        List<JsonNode> ev = new ArrayList<>();
        for (String s : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode n = DpoFixtures.JSON.readTree(s);
            if (n.has("eval_accuracy")) ev.add(n);
            else assertTrue(n.has("loss") && n.has("accuracy") && n.has("margin") && n.has("mean_reward") && n.has("grad_norm"), s);
        }
        JsonNode first = ev.get(0), last = ev.get(ev.size() - 1);
        assertTrue(last.get("eval_accuracy").asDouble() >= 0.9, "held-out accuracy " + last);
        assertTrue(last.get("eval_loss").asDouble() < first.get("eval_loss").asDouble(), "eval loss " + first + " → " + last);
        assertTrue(last.get("eval_loss").asDouble() < Math.log(2) * 0.7, last.toString());

        // the saved folder is a reward model; eval-only on it reproduces the last eval metrics
        RewardModel rm = RewardModelFolder.load(out);
        assertEquals(1, rm.config().raw().get("id2label").size());
        Path again = out.resolve("again");
        assertEquals(0, Main.run("reward", "--model", out.toString(), "--dataset", train.toString(), "--eval-dataset", eval.toString(),
                "--output-dir", again.toString(), "--eval-only", "--center-rewards-coefficient", "0.01", "--threads", "1"));
        JsonNode res = DpoFixtures.JSON.readTree(again.resolve("eval_results.json").toFile());
        assertEquals(last.get("eval_accuracy").asDouble(), res.get("eval_accuracy").asDouble(), 1e-9);
        assertEquals(last.get("eval_loss").asDouble(), res.get("eval_loss").asDouble(), 1e-4);
    }

    static Pairs pairs(int n, long seed, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] p = new int[n][], c = new int[n][], j = new int[n][];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = r.ints(1 + r.nextInt(4), 0, vocab).toArray();
            c[i] = r.ints(1 + r.nextInt(4), 0, vocab).toArray();
            j[i] = r.ints(1 + r.nextInt(4), 0, vocab).toArray();
            s[i] = "test:" + (i + 1);
        }
        return new Pairs(p, c, j, s);
    }

    /** The task's loss, computed with prefix sharing, against the hand formula on scores of unshared sequences. */
    @Test
    void lossWithMarginAndCenteringEqualsTheFormulaOnIndependentlyComputedScores() throws Exception {
        LoadedModel lm = HfModel.load(model);
        RewardModel rm = RewardModelFolder.fromLanguageModel(lm, 0, 7);
        Pairs ps = pairs(5, 4, lm.config().vocabSize());
        double[] margin = {0.5, -0.2, 0, 1.5, 0.1};
        double c = 0.05;
        Stats st = new RewardTask(rm, new BradleyTerryLoss(c), ps, margin, null, null, 8).evaluate(ps, margin, 2);
        double[] rc = rm.score(List.of(ps.prompts()), List.of(ps.chosen()));
        double[] rr = rm.score(List.of(ps.prompts()), List.of(ps.rejected()));
        double nll = 0, center = 0, acc = 0;
        for (int i = 0; i < 5; i++) {
            double d = rc[i] - rr[i] - margin[i];
            nll += Math.log1p(Math.exp(-d));                 // −log σ(d)
            center += (rc[i] + rr[i]) * (rc[i] + rr[i]);
            acc += rc[i] > rr[i] ? 1 : 0;
        }
        assertEquals(nll / 5 + c * center / 5, st.mean("loss"), 1e-5);
        assertEquals(acc / 5, st.mean("accuracy"), 0.0);
    }

    /** ∂loss/∂θ of a training micro-batch along random directions equals central differences of the loss. */
    @Test
    void trainingGradientMatchesFiniteDifferences() throws Exception {
        LoadedModel lm = HfModel.load(model);
        RewardModel rm = RewardModelFolder.fromLanguageModel(lm, 0, 7);
        Pairs ps = pairs(4, 5, lm.config().vocabSize());
        double[] margin = {0.3, 0, -0.4, 0.2};
        RewardTask task = new RewardTask(rm, new BradleyTerryLoss(0.1), ps, margin, null, null, 8);
        for (Tensor t : rm.parameters()) t.zeroGrad();
        task.train(new int[] {0, 1, 2, 3}, 1.0);
        SplittableRandom r = new SplittableRandom(1);
        for (Tensor t : List.of(rm.head().weight(), rm.parameters().get(0), rm.parameters().get(5))) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double[] u = dir.u();
            double analytic = dir.analytic();
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.05 * Math.max(Math.sqrt(rms / t.size()), 0.02); // relative to the tensor's scale
            // Richardson extrapolation (4·D(h/2) − D(h))/3 cancels the h² term of central differences
            double numeric = (4 * central(task, ps, margin, t, u, h / 2) - central(task, ps, margin, t, u, h)) / 3;
            assertEquals(numeric, analytic, 0.03 * Math.abs(numeric) + 1e-4, t.name);
        }
    }

    static double central(RewardTask task, Pairs ps, double[] margin, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + (s == 0 ? h : -h) * u[i]);
            f[s] = task.evaluate(ps, margin, 8).mean("loss");
        }
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (f[0] - f[1]) / (2 * h);
    }

    @Test
    void aNonNumericMarginNamesTheRecord(@TempDir Path out) throws Exception {
        Path bad = out.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt_input_ids\":[1],\"chosen_input_ids\":[2],\"rejected_input_ids\":[3],\"margin\":1}\n"
                + "{\"prompt_input_ids\":[1],\"chosen_input_ids\":[2],\"rejected_input_ids\":[3],\"margin\":\"x\"}\n");
        var run = CliRuns.capturingStderr("reward", "--model", model.toString(), "--dataset", bad.toString(), "--output-dir",
                out.resolve("o").toString(), "--max-steps", "1");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("bad.jsonl:2") && run.err().contains("margin"), run.err());
    }

    // --use-peft: LoRA adapters and the score head train (PEFT's SEQ_CLS modules_to_save), the backbone stays frozen,
    // and the adapter folder scores the same whether its adapters run unmerged (training, --eval-only) or merged
    // into the base (score, merge-lora)

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

        // RewardModelFolder.load (what score, collect --label and ppo --reward-model use) merges the adapters into the
        // base: its Bradley–Terry loss on the eval pairs is the one training logged with the adapters unmerged
        Pairs p = DpoFixtures.readPairs(eval);
        RewardModel merged = RewardModelFolder.load(adapter);
        RewardModel.PairScores s = merged.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
        double loss = new BradleyTerryLoss(0).compute(s.chosen(), s.rejected(), null).toMap("").get("loss");
        assertEquals(last.get("eval_loss").asDouble(), loss, 1e-4);

        // merge-lora writes that merged model as a reward model folder; the frozen tensors are the base's
        Path full = out.resolve("merged");
        assertEquals(0, Main.run("merge-lora", "--adapter", adapter.toString(), "--output-dir", full.toString()));
        RewardModel saved = RewardModelFolder.load(full);
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
        RewardModel rm = RewardModelFolder.fromLanguageModel(lm, 0, 7);
        Lora lora = Lora.create(rm.config(), new LoraConfig(3, 6, 0, List.of("all-linear")), 11);
        SplittableRandom r = new SplittableRandom(2);
        for (Lora.Adapter a : lora.adapters()) for (int i = 0; i < a.b.data.length; i++) a.b.data[i] = (float) (0.1 * r.nextGaussian());
        rm.backbone().setLora(lora);
        Pairs ps = pairs(4, 5, lm.config().vocabSize());
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
            double numeric = (4 * central(task, ps, margin, t, dir.u(), h / 2)
                    - central(task, ps, margin, t, dir.u(), h)) / 3;
            assertTrue(Math.abs(dir.analytic()) > 1e-4, t.name + " has a gradient to check");
            assertEquals(numeric, dir.analytic(), 0.03 * Math.abs(numeric) + 1e-4, t.name);
        }
    }

    /** A language model's adapter is not a reward model: the error names the file and the field. */
    @Test
    void aLanguageModelsAdapterIsNotARewardModel(@TempDir Path out) throws Exception {
        LoadedModel lm = HfModel.load(model);
        PeftAdapter.save(out, Lora.create(lm.config(), new LoraConfig(2, 4, 0, null), 1), model.toString());
        var e = assertThrows(align4j.model.ModelFormatException.class, () -> RewardModelFolder.load(out));
        assertTrue(e.getMessage().contains(out.resolve(PeftAdapter.CONFIG_FILE).toString()) && e.getMessage().contains("task_type"),
                e.getMessage());
    }
}
