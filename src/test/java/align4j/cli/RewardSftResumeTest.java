package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * reward (full and LoRA) and sft run on the shared training loop: a run resumed from its step-4 checkpoint ends
 * with the same weights and metrics as the uninterrupted run.
 */
class RewardSftResumeTest {
    @ParameterizedTest
    @ValueSource(strings = {"reward", "sft", "reward --use-peft", "reward --use-peft --weights-dtype bf16 --gradient-checkpointing"})
    void resumedRunEqualsTheUninterruptedRun(String commandLine, @TempDir Path tmp) throws Exception {
        String command = commandLine.split(" ")[0];
        boolean lora = commandLine.contains("--use-peft");
        Path model = DpoFixtures.tinyModel(tmp.resolve("model"));
        Path data = command.equals("reward") ? DpoFixtures.pairs(tmp.resolve("d.jsonl"), 40, 1)
                : SftCommandTest.data(tmp.resolve("d.jsonl"), 40, 1);
        Path full = tmp.resolve("full"), resumed = tmp.resolve("resumed");
        List<String> common = new ArrayList<>(List.of(commandLine.split(" ")));
        common.addAll(List.of("--model", model.toString(), "--dataset", data.toString(), "--learning-rate", "1e-3",
                "--batch-size", "4", "--gradient-accumulation-steps", "2", "--max-steps", "8", "--save-steps", "4",
                "--logging-steps", "2", "--threads", "1"));
        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", full.toString())));
        CliRuns.copyTree(full.resolve("checkpoint-4"), resumed.resolve("checkpoint-4"));
        Files.copy(full.resolve("metrics.jsonl"), resumed.resolve("metrics.jsonl"));
        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", resumed.toString(), "--resume-from-checkpoint", "last")));
        // with LoRA the checkpoint and the output hold the adapters and the score head only
        String weights = lora ? "adapter_model.safetensors" : "model.safetensors";
        assertArrayEquals(Files.readAllBytes(full.resolve(weights)), Files.readAllBytes(resumed.resolve(weights)));
        assertEquals(Files.readAllLines(full.resolve("metrics.jsonl")), Files.readAllLines(resumed.resolve("metrics.jsonl")));
    }
}
