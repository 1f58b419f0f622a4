package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** align4j online-dpo end to end on the tiny model: TRL's metric names, the reward rising, resume. */
class OnlineDpoCommandTest {
    @TempDir
    static Path shared;
    static Path model, prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        prompts = shared.resolve("prompts.jsonl");
        DpoFixtures.randomPrompts(prompts, 16, 4);
    }

    static String[] args(Path out, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("online-dpo", "--model", model.toString(), "--dataset", prompts.toString(),
                "--reward-funcs", "target-token:7", "--output-dir", out.toString(), "--max-new-tokens", "5", "--temperature", "1",
                "--per-device-train-batch-size", "8", "--learning-rate", "0.01", "--max-steps", String.valueOf(steps),
                "--logging-steps", "1", "--threads", "1", "--stop-token-id", "0", "--missing-eos-penalty", "0.5"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void writesTrlMetricsAndTheRewardRises(@TempDir Path out) throws Exception {
        int steps = 24;
        assertEquals(0, Main.run(args(out, steps)));
        List<JsonNode> m = CliRuns.metrics(out);
        assertEquals(steps, m.size());
        for (String k : List.of("objective/scores", "objective/kl", "objective/entropy", "objective/non_score_reward", "objective/rlhf_reward",
                "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected",
                "val/contain_eos_token", "beta", "loss", "learning_rate", "episode")) {
            assertTrue(m.get(steps - 1).has(k), k + " missing from " + m.get(steps - 1));
        }
        assertEquals(0.0, m.get(0).get("objective/kl").asDouble(), 1e-6, "step 1: the policy is the reference");
        assertEquals(Math.log(2), m.get(0).get("loss").asDouble(), 1e-6, "step 1: sigmoid loss at margin 0");
        double first = 0, last = 0;
        int w = 6;
        for (int i = 0; i < w; i++) {
            first += m.get(i).get("objective/scores").asDouble() / w;
            last += m.get(steps - 1 - i).get("objective/scores").asDouble() / w;
        }
        assertTrue(last > first, "mean reward did not rise: " + first + " → " + last);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    }

    @Test
    void resumedFromACheckpointEqualsAnUninterruptedRun(@TempDir Path a, @TempDir Path b) throws Exception {
        assertEquals(0, Main.run(args(a, 4, "--save-steps", "2")));
        CliRuns.copyTree(a.resolve("checkpoint-2"), b.resolve("checkpoint-2"));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        Files.write(b.resolve("metrics.jsonl"), lines.subList(0, 2));
        assertEquals(0, Main.run(args(b, 4, "--save-steps", "2", "--resume-from-checkpoint", b.resolve("checkpoint-2").toString())));
        assertEquals(lines, Files.readAllLines(b.resolve("metrics.jsonl")));
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
    }

    @Test
    void loraTrainsAdaptersAgainstTheBase(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run(args(out, 3, "--use-peft", "--lora-r", "4", "--lora-target-modules", "all-linear", "--learning-rate", "0.05")));
        List<JsonNode> m = CliRuns.metrics(out);
        assertEquals(0.0, m.get(0).get("objective/kl").asDouble(), 1e-6);
        assertTrue(m.get(2).get("objective/kl").asDouble() != 0, m.get(2).toString());
        assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
    }
}
