package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.eval.RewardModel;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.loss.BradleyTerryLoss;
import align4j.model.ModelGradCheck;
import align4j.tensor.Tensor;
import align4j.train.Pairs;
import align4j.train.RewardTask;
import align4j.train.Stats;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code align4j reward} on the tiny GPT-2 of {@link DpoFixtures} and its learnable preference (chosen
 * completions even ids, rejected odd), and the reward task's loss and gradient against independent computations.
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
        RewardModel rm = RewardModel.load(out);
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
        RewardModel rm = RewardModel.fromLanguageModel(lm, 0, 7);
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
        RewardModel rm = RewardModel.fromLanguageModel(lm, 0, 7);
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
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int rc;
        try {
            rc = Main.run("reward", "--model", model.toString(), "--dataset", bad.toString(), "--output-dir", out.resolve("o").toString(),
                    "--max-steps", "1");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, rc);
        assertTrue(err.toString().contains("bad.jsonl:2") && err.toString().contains("margin"), err.toString());
    }
}
