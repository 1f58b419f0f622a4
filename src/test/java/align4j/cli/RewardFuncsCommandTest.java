package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.text.TextFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpo with several rewards (--reward-funcs, --reward-weights, --reward-model) on the tiny model: the logged reward
 * is the weighted sum of the per-function means TRL logs as rewards/NAME/mean, and a reward that needs a column the
 * data lacks stops the run before its first step, naming the record and the column.
 */
class RewardFuncsCommandTest {
    @TempDir
    static Path shared;
    static Path model, prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        prompts = shared.resolve("math.jsonl");
        SplittableRandom r = new SplittableRandom(4);
        try (BufferedWriter w = Files.newBufferedWriter(prompts)) {
            for (int i = 0; i < 8; i++) {
                ObjectNode o = DpoFixtures.JSON.createObjectNode();
                for (int j = 0; j < 2 + r.nextInt(3); j++) o.withArray("prompt_input_ids").add(r.nextInt(48));
                o.put("solution", String.valueOf(i));
                w.write(DpoFixtures.JSON.writeValueAsString(o));
                w.newLine();
            }
        }
    }

    /** The tiny model's 48 ids decode with Llama 2's tokenizer (bytes 0x00–0x2C: spaces, punctuation, digits absent). */
    static String[] grpo(Path out, String... rewards) {
        return CliRuns.args(List.of("grpo", "--model", model.toString(), "--tokenizer", TextFixtures.tokenizerDir("llama2").toString(),
                "--dataset", prompts.toString(), "--output-dir", out.toString(), "--num-generations", "4", "--max-completion-length", "6",
                "--per-device-train-batch-size", "8", "--learning-rate", "0.01", "--max-steps", "3", "--logging-steps", "1",
                "--threads", "1", "--beta", "0"), rewards);
    }

    @Test
    void theRewardIsTheWeightedSumOfThePerFunctionMeans(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run(grpo(out, "--reward-funcs", "accuracy,format,word-count", "--reward-funcs", "target-token:7",
                "--reward-weights", "1,0.2,0.5,2")));
        List<JsonNode> m = CliRuns.metrics(out);
        assertEquals(3, m.size());
        double[] w = {1, 0.2, 0.5, 2};
        String[] names = {"accuracy", "format", "word-count", "target-token:7"};
        boolean nonZero = false;
        for (JsonNode step : m) {
            double sum = 0;
            for (int k = 0; k < names.length; k++) {
                assertTrue(step.has("rewards/" + names[k] + "/mean") && step.has("rewards/" + names[k] + "/std"), names[k] + " missing from " + step);
                sum += w[k] * step.get("rewards/" + names[k] + "/mean").asDouble();
            }
            assertEquals(sum, step.get("reward").asDouble(), 1e-5, step.toString());
            nonZero |= sum != 0;
        }
        assertTrue(nonZero, "some step scored above 0: " + m);
    }

    /** With --reward-model the model is the last term; a last extra weight is its own, else it weighs 1. */
    @Test
    void aRewardModelIsOneMoreTermOfTheSum(@TempDir Path out) throws Exception {
        Path rm = out.resolve("rm");
        align4j.io.LoadedModel lm = align4j.io.HfModel.load(model);
        align4j.io.RewardModelFolder.save(rm, align4j.io.RewardModelFolder.fromLanguageModel(lm, 0, 3), lm.layout().dtype());
        for (String weights : List.of("2", "2,0.5")) {
            Path run = out.resolve("run" + weights);
            assertEquals(0, Main.run(grpo(run, "--reward-funcs", "target-token:7", "--reward-model", rm.toString(), "--reward-weights", weights)));
            double wModel = weights.equals("2") ? 1 : 0.5;
            for (JsonNode step : CliRuns.metrics(run)) {
                double sum = 2 * step.get("rewards/target-token:7/mean").asDouble() + wModel * step.get("rewards/rm/mean").asDouble();
                assertEquals(sum, step.get("reward").asDouble(), 1e-5, step.toString());
            }
        }
        assertEquals(2, Main.run(grpo(out.resolve("bad"), "--reward-funcs", "target-token:7", "--reward-weights", "1,2")));
    }

    /** PPO takes the same rewards: its objective/scores is the weighted sum, and records reach it as in GRPO. */
    @Test
    void ppoScoresWithTheSameSum(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run("ppo", "--model", model.toString(), "--tokenizer", TextFixtures.tokenizerDir("llama2").toString(),
                "--dataset", prompts.toString(), "--output-dir", out.toString(), "--reward-funcs", "contains:solution,word-count,target-token:7",
                "--reward-weights", "1,0.5,2", "--response-length", "5", "--per-device-train-batch-size", "4", "--max-steps", "2",
                "--logging-steps", "1", "--threads", "1"));
        for (JsonNode step : CliRuns.metrics(out)) {
            double sum = step.get("rewards/contains:solution/mean").asDouble() + 0.5 * step.get("rewards/word-count/mean").asDouble()
                    + 2 * step.get("rewards/target-token:7/mean").asDouble();
            assertEquals(sum, step.get("objective/scores").asDouble(), 1e-5, step.toString());
        }
    }

    @Test
    void aRewardNeedingAColumnTheDataLacksNamesTheRecordAndTheColumn(@TempDir Path out) throws Exception {
        var run = CliRuns.capturingStderr(grpo(out, "--reward-funcs", "target-token:7,exact-match:label"));
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("math.jsonl, line 1") && run.err().contains("'label'") && run.err().contains("solution"), run.err());
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "stopped before the first step");
    }
}
