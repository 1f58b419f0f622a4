package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DPO run killed with SIGKILL after a checkpoint and resumed with --resume-from-checkpoint last writes the
 * same metrics.jsonl, line for line, as a run that was never interrupted.
 */
class ResumeAfterKillTest {
    @Test
    void resumedRunContinuesTheUninterruptedLossCurve(@TempDir Path dir) throws Exception {
        Path model = DpoFixtures.tinyModel(dir.resolve("model"));
        Path data = DpoFixtures.pairs(dir.resolve("train.jsonl"), 64, 4);
        Path eval = DpoFixtures.pairs(dir.resolve("eval.jsonl"), 16, 5);
        List<String> common = List.of("dpo", "--model", model.toString(), "--dataset", data.toString(),
                "--eval-dataset", eval.toString(), "--learning-rate", "1e-3", "--batch-size", "4",
                "--gradient-accumulation-steps", "2", "--max-steps", "300", "--logging-steps", "3", "--eval-steps", "30",
                "--save-steps", "10", "--save-total-limit", "2", "--warmup-ratio", "0.1", "--lr-scheduler-type", "cosine",
                "--threads", "1");

        Path whole = dir.resolve("whole");
        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", whole.toString())));

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(CliRuns.args(common, "--output-dir", killed.toString())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.isDirectory(killed.resolve("checkpoint-20")) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(p.isAlive(), "the run ended before it could be killed; make it longer");
        p.destroyForcibly(); // SIGKILL on Unix
        p.waitFor();
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run must not have finished");

        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", killed.toString(), "--resume-from-checkpoint", "last")));
        assertEquals(Files.readAllLines(whole.resolve("metrics.jsonl")), Files.readAllLines(killed.resolve("metrics.jsonl")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(killed.resolve("model.safetensors")));
    }
}
