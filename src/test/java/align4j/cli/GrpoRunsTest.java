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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * grpo and rloo with TRL's current GRPO options (mask_truncated_completions, importance_sampling_level,
 * top_entropy_quantile, log_completions), exact resume, and the warnings of a run that is not learning.
 */
class GrpoRunsTest {
    @TempDir
    static Path shared;
    static Path model, prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        prompts = shared.resolve("prompts.jsonl");
        DpoFixtures.randomPrompts(prompts, 16, 7);
    }

    static String[] args(String command, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--model", model.toString(), "--dataset", prompts.toString(),
                "--reward-funcs", "target-token:7,target-token:3", "--reward-weights", "1,0.5", "--output-dir", out.toString(),
                "--num-generations", "4", "--max-completion-length", "5", "--per-device-train-batch-size", "4",
                "--gradient-accumulation-steps", "2", "--learning-rate", "0.02", "--max-steps", "4", "--logging-steps", "1",
                "--threads", "1", "--stop-token-id", "0", "--log-completions"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /**
     * A run stopped after its step-2 checkpoint (its output folder holding the lines it wrote after it) and resumed
     * ends with the uninterrupted run's weights, metrics.jsonl, completions.jsonl and warnings.jsonl.
     */
    @ParameterizedTest
    @ValueSource(strings = {"grpo", "grpo --beta 0.04 --num-iterations 2 --importance-sampling-level sequence --mask-truncated-completions "
            + "--top-entropy-quantile 0.5", "rloo", "rloo --num-iterations 2 --mask-truncated-completions"})
    void resumedRunEqualsTheUninterruptedRun(String commandLine, @TempDir Path tmp) throws Exception {
        String[] words = commandLine.split(" ");
        List<String> extra = new ArrayList<>(List.of(words).subList(1, words.length));
        extra.addAll(List.of("--save-steps", "2"));
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(0, Main.run(args(words[0], a, extra.toArray(new String[0]))));
        CliRuns.copyTree(a.resolve("checkpoint-2"), b.resolve("checkpoint-2"));
        for (String f : List.of("metrics.jsonl", "completions.jsonl", "warnings.jsonl")) {
            if (Files.exists(a.resolve(f))) Files.copy(a.resolve(f), b.resolve(f));
        }
        extra.addAll(List.of("--resume-from-checkpoint", "last"));
        assertEquals(0, Main.run(args(words[0], b, extra.toArray(new String[0]))));
        for (String f : List.of("metrics.jsonl", "completions.jsonl")) {
            assertEquals(Files.readAllLines(a.resolve(f)), Files.readAllLines(b.resolve(f)), f);
        }
        assertEquals(Files.exists(a.resolve("warnings.jsonl")), Files.exists(b.resolve("warnings.jsonl")));
        if (Files.exists(a.resolve("warnings.jsonl"))) {
            assertEquals(Files.readAllLines(a.resolve("warnings.jsonl")), Files.readAllLines(b.resolve("warnings.jsonl")));
        }
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
    }

    /** log_completions: one row per completion at every logged step, with each reward, the total and the advantage. */
    @Test
    void logCompletionsWritesEachLoggedStepsCompletions(@TempDir Path out) throws Exception {
        assertEquals(0, Main.run(args("grpo", out, "--logging-steps", "2")));
        List<String> lines = Files.readAllLines(out.resolve("completions.jsonl"));
        assertEquals(2 * 8, lines.size(), "8 completions at each of steps 2 and 4");
        JsonNode first = DpoFixtures.JSON.readTree(lines.get(0));
        assertEquals(2, first.get("step").asInt());
        assertTrue(first.get("prompt").isArray() && first.get("completion").isArray(), "no tokenizer: token ids");
        double total = first.get("rewards").get("target-token:7").asDouble() + 0.5 * first.get("rewards").get("target-token:3").asDouble();
        assertEquals(total, first.get("reward").asDouble(), 1e-6);
        // the group's advantages are its rewards minus their mean over their std: they sum to 0
        double sum = 0;
        for (int i = 0; i < 4; i++) sum += DpoFixtures.JSON.readTree(lines.get(i)).get("advantage").asDouble();
        assertEquals(0, sum, 1e-5);
    }

    /**
     * Completions cut at one token without a stop token: the run warns once, with the numbers, on stderr and in
     * warnings.jsonl; with mask_truncated_completions no completion takes part, so no step has a gradient.
     */
    @Test
    void everyCompletionTruncatedWarnsOnceAndMaskingLeavesNoGradient(@TempDir Path out) throws Exception {
        List<String> a = new ArrayList<>(List.of(args("grpo", out, "--mask-truncated-completions")));
        int i = a.indexOf("--max-completion-length");
        a.set(i + 1, "1");
        a.remove(a.indexOf("--stop-token-id") + 1);
        a.remove("--stop-token-id");
        CliRuns.Result run = CliRuns.capturingStderr(a.toArray(new String[0]));
        assertEquals(0, run.rc(), run.err());
        assertEquals(1, run.err().split("completions/clipped_ratio", -1).length - 1, run.err());
        assertTrue(run.err().contains("warning: step 1: 100% of completions hit the length limit"), run.err());
        List<JsonNode> warnings = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("warnings.jsonl"))) warnings.add(DpoFixtures.JSON.readTree(l));
        JsonNode clipped = warnings.stream().filter(w -> w.get("warning").asText().equals("clipped_completions")).findFirst().orElseThrow();
        assertEquals(1, clipped.get("step").asInt());
        assertEquals(1.0, clipped.get("completions/clipped_ratio").asDouble());
        assertEquals(0.5, clipped.get("limit").asDouble());
        for (JsonNode m : CliRuns.metrics(out)) {
            assertEquals(0.0, m.get("grad_norm").asDouble(), m.toString());
            assertEquals(1.0, m.get("completions/clipped_ratio").asDouble());
        }
    }

    @Test
    void badOptionValuesGiveClearErrors(@TempDir Path out) throws Exception {
        CliRuns.Result r = CliRuns.capturingStderr(args("grpo", out, "--importance-sampling-level", "seq"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("importance_sampling_level"), r.err());
        r = CliRuns.capturingStderr(args("grpo", out, "--top-entropy-quantile", "0"));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("top_entropy_quantile"), r.err());
    }
}
