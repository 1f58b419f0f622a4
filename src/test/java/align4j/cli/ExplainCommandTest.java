package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align4j explain}: per-token implicit rewards that add up to the DPO rewards of the logps path. */
class ExplainCommandTest {
    @TempDir
    Path dir;

    @Test
    void perTokenRewardsSumToTheDpoRewardsOfThePrefixSharedLogpsPath() throws Exception {
        Path policy = DpoFixtures.tinyModel(dir.resolve("policy"));
        LoadedModel pm = HfModel.load(policy);
        Path ref = dir.resolve("ref");
        ModelConfig cfg = pm.config();
        TinyModels.save(ref, cfg, ModelInit.random(cfg, 6));
        Path data = DpoFixtures.pairs(dir.resolve("pairs.jsonl"), 7, 11);
        double beta = 0.25;
        Path html = dir.resolve("out/report.html");
        assertEquals(0, Main.run("explain", "--policy", policy.toString(), "--ref-model", ref.toString(), "--data",
                data.toString(), "--beta", "0.25", "--out", html.toString(), "--max-tokens", "20", "--threads", "1"));

        // The independent path: summed log-probs with chosen and rejected sharing one prompt computation.
        var p = DpoFixtures.readPairs(data);
        LoadedModel rm = HfModel.load(ref);
        PairLogps.Result lp = PairLogps.compute(new Transformer(cfg, pm.tensors()), p.prompts(), p.chosen(), p.rejected(), 8, 16384, null);
        PairLogps.Result lr = PairLogps.compute(new Transformer(cfg, rm.tensors()), p.prompts(), p.chosen(), p.rejected(), 8, 16384, null);

        List<String> lines = Files.readAllLines(dir.resolve("out/report.jsonl"));
        assertEquals(7, lines.size());
        int accurate = 0;
        for (int i = 0; i < 7; i++) {
            JsonNode o = DpoFixtures.JSON.readTree(lines.get(i));
            double[] expected = {beta * (lp.chosen()[i] - lr.chosen()[i]), beta * (lp.rejected()[i] - lr.rejected()[i])};
            String[] labels = {"chosen", "rejected"};
            int[][] ids = {p.chosen()[i], p.rejected()[i]};
            for (int k = 0; k < 2; k++) {
                JsonNode tokens = o.get(labels[k] + "_token_rewards");
                assertEquals(ids[k].length, tokens.size(), "one value per completion token (the prompt is never empty here)");
                double sum = 0;
                for (int t = 0; t < tokens.size(); t++) {
                    sum += tokens.get(t).asDouble();
                    double r = beta * (o.get(labels[k] + "_token_logps").get(t).asDouble()
                            - o.get(labels[k] + "_token_ref_logps").get(t).asDouble());
                    assertEquals(r, tokens.get(t).asDouble(), 1e-6);
                    assertEquals(ids[k][t], o.get(labels[k] + "_tokens").get(t).asInt());
                }
                assertEquals(expected[k], sum, 1e-4, "pair " + i + " " + labels[k]);
                assertEquals(expected[k], o.get(labels[k] + "_reward").asDouble(), 1e-4);
            }
            assertTrue(Math.abs(expected[0]) > 1e-3, "policy and reference differ, so the rewards are not trivially 0");
            if (expected[0] > expected[1]) accurate++;
        }
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.contains("title=\"" + String.format(java.util.Locale.ROOT, "%+.4f",
                DpoFixtures.JSON.readTree(lines.get(0)).get("chosen_token_rewards").get(0).asDouble()) + "\""));
        assertTrue(page.contains(String.format(java.util.Locale.ROOT, "rewards/accuracies %.3f", accurate / 7.0)));
        assertTrue(!page.contains("<script") && !page.contains("http"), "self-contained: no scripts, no links");
    }

    @Test
    void limitKeepsTheFirstPairsAndABadBetaIsAUserError() throws Exception {
        Path policy = DpoFixtures.tinyModel(dir.resolve("policy"));
        Path data = DpoFixtures.pairs(dir.resolve("pairs.jsonl"), 5, 3);
        Path html = dir.resolve("r.html");
        assertEquals(0, Main.run("explain", "--policy", policy.toString(), "--ref-model", policy.toString(), "--data",
                data.toString(), "--limit", "2", "--out", html.toString(), "--jsonl", dir.resolve("t.jsonl").toString()));
        List<String> lines = Files.readAllLines(dir.resolve("t.jsonl"));
        assertEquals(2, lines.size());
        assertEquals(0.0, DpoFixtures.JSON.readTree(lines.get(1)).get("margin").asDouble(), 0.0,
                "a policy against itself has every token reward exactly 0");
        assertEquals(2, Main.run("explain", "--policy", policy.toString(), "--ref-model", policy.toString(), "--data",
                data.toString(), "--beta", "-1", "--out", html.toString()));
    }
}
