package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import align4j.train.TensorBoardWriterTest.EventFile;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --report-to tensorboard} on every training command: the event files, read back by the test's own reader
 * ({@link EventFile}: TFRecord framing, both CRCs, the Event protobuf), hold metrics.jsonl's values as scalars with
 * Hugging Face's TensorBoardCallback tags ({@code train/…}, {@code eval/…}) at the same steps.
 */
class TensorBoardReportTest {
    @TempDir
    static Path shared;
    static Path model, pairs, evalPairs, sft, prompts;

    @BeforeAll
    static void fixtures() throws Exception {
        model = DpoFixtures.tinyModel(shared.resolve("model"));
        pairs = DpoFixtures.pairs(shared.resolve("train.jsonl"), 32, 1);
        evalPairs = DpoFixtures.pairs(shared.resolve("eval.jsonl"), 8, 2);
        sft = SftCommandTest.data(shared.resolve("sft.jsonl"), 32, 1);
        prompts = shared.resolve("prompts.jsonl");
        DpoFixtures.randomPrompts(prompts, 8, 4);
    }

    /** HF's rewrite_logs of each metrics.jsonl line (every key but step) at its step, in order. */
    static List<String> expected(Path out) throws Exception {
        List<String> e = new ArrayList<>();
        for (JsonNode line : CliRuns.metrics(out)) {
            long step = line.get("step").asLong();
            for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("step")) continue;
                String k = f.getKey();
                String tag = k.startsWith("eval_") ? "eval/" + k.substring(5) : "train/" + k;
                e.add(tag + "@" + step + "=" + (float) f.getValue().asDouble());
            }
        }
        return e;
    }

    static List<String> actual(Path runDir) throws Exception {
        return EventFile.scalars(runDir).stream().map(s -> s.tag() + "@" + s.step() + "=" + s.value()).toList();
    }

    /** The one folder under out/runs/, named as HF's default logging_dir. */
    static Path runDir(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            List<Path> dirs = s.toList();
            assertEquals(1, dirs.size(), dirs.toString());
            assertTrue(dirs.get(0).getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.+"), dirs.toString());
            return dirs.get(0);
        }
    }

    static void assertMatchesMetrics(Path out, Path runDir, double since) throws Exception {
        List<String> want = expected(out);
        assertFalse(want.isEmpty());
        assertEquals(want, actual(runDir));
        String pid = Long.toString(ProcessHandle.current().pid());
        for (Path f : EventFile.eventFiles(runDir)) {
            assertTrue(f.getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\." + pid + "\\.\\d+"), f.toString());
        }
        double now = System.currentTimeMillis() / 1000.0;
        double last = 0;
        for (EventFile.Scalar s : EventFile.scalars(runDir)) {
            assertTrue(s.wallTime() >= since - 1 && s.wallTime() <= now + 1, "wall time " + s.wallTime());
            assertTrue(s.wallTime() >= last, "wall times in order");
            last = s.wallTime();
        }
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    @Test
    void dpoWritesTrainAndEvalScalarsUnderRuns(@TempDir Path out) throws Exception {
        double t0 = now();
        assertEquals(0, Main.run("dpo", "--model", model.toString(), "--dataset", pairs.toString(), "--eval-dataset",
                evalPairs.toString(), "--output-dir", out.toString(), "--learning-rate", "3e-3", "--batch-size", "8",
                "--max-steps", "4", "--logging-steps", "2", "--threads", "1", "--report-to", "tensorboard"));
        Path run = runDir(out);
        assertMatchesMetrics(out, run, t0);
        List<String> tags = actual(run).stream().map(s -> s.substring(0, s.indexOf('@'))).distinct().toList();
        for (String t : List.of("train/loss", "train/rewards/chosen", "train/rewards/accuracies", "train/logps/rejected",
                "train/grad_norm", "train/learning_rate", "train/epoch", "eval/loss", "eval/rewards/margins")) {
            assertTrue(tags.contains(t), t + " missing from " + tags);
        }
    }

    @Test
    void sftAndRewardWriteToLoggingDir(@TempDir Path tmp) throws Exception {
        double t0 = now();
        Path s = tmp.resolve("sft"), r = tmp.resolve("reward"), logs = tmp.resolve("tb");
        assertEquals(0, Main.run("sft", "--model", model.toString(), "--dataset", sft.toString(), "--output-dir", s.toString(),
                "--max-steps", "3", "--logging-steps", "1", "--batch-size", "8", "--threads", "1", "--report-to", "all",
                "--logging-dir", logs.resolve("sft").toString()));
        assertMatchesMetrics(s, logs.resolve("sft"), t0);
        assertFalse(Files.exists(s.resolve("runs")), "--logging-dir replaces runs/");
        assertEquals(0, Main.run("reward", "--model", model.toString(), "--dataset", pairs.toString(), "--eval-dataset",
                evalPairs.toString(), "--output-dir", r.toString(), "--max-steps", "2", "--logging-steps", "1", "--batch-size", "8",
                "--threads", "1", "--report-to", "tensorboard", "--logging-dir", logs.resolve("reward").toString()));
        assertMatchesMetrics(r, logs.resolve("reward"), t0);
        assertTrue(actual(logs.resolve("reward")).stream().anyMatch(x -> x.startsWith("eval/accuracy@")));
    }

    @Test
    void ppoGrpoAndRlooWriteTheirTrlMetrics(@TempDir Path tmp) throws Exception {
        double t0 = now();
        Path p = tmp.resolve("ppo"), g = tmp.resolve("grpo"), r = tmp.resolve("rloo");
        assertEquals(0, Main.run("ppo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs",
                "target-token:7", "--output-dir", p.toString(), "--response-length", "4", "--per-device-train-batch-size", "4",
                "--num-mini-batches", "2", "--max-steps", "2", "--logging-steps", "1", "--threads", "1", "--stop-token-id", "0",
                "--report-to", "tensorboard"));
        assertMatchesMetrics(p, runDir(p), t0);
        assertTrue(actual(runDir(p)).stream().anyMatch(x -> x.startsWith("train/objective/rlhf_reward@1=")));
        assertEquals(0, Main.run("grpo", "--model", model.toString(), "--dataset", prompts.toString(), "--reward-funcs",
                "target-token:7", "--output-dir", g.toString(), "--num-generations", "4", "--max-completion-length", "4",
                "--per-device-train-batch-size", "8", "--max-steps", "2", "--logging-steps", "1", "--threads", "1",
                "--report-to", "tensorboard"));
        assertMatchesMetrics(g, runDir(g), t0);
        assertEquals(0, Main.run("rloo", "--model", model.toString(), "--dataset", prompts.toString(), "--rloo-k", "2",
                "--reward-funcs", "target-token:7", "--output-dir", r.toString(), "--max-completion-length", "4",
                "--per-device-train-batch-size", "4", "--max-steps", "2", "--logging-steps", "1", "--threads", "1",
                "--report-to", "tensorboard"));
        assertMatchesMetrics(r, runDir(r), t0);
    }

    /**
     * A run killed after step 4 and resumed from checkpoint-2: metrics.jsonl drops steps 3–4 and logs them again; the
     * resumed run adds a second event file in the same runs/ folder whose session_log START purges the first file's
     * steps ≥ 3, so TensorBoard shows exactly metrics.jsonl.
     */
    @Test
    void aResumedRunAppendsAnEventFileThatTensorBoardMergesIntoMetricsJsonl(@TempDir Path tmp) throws Exception {
        double t0 = now();
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        List<String> common = List.of("dpo", "--model", model.toString(), "--dataset", pairs.toString(), "--learning-rate",
                "3e-3", "--batch-size", "4", "--max-steps", "4", "--logging-steps", "1", "--save-steps", "2", "--threads", "1",
                "--report-to", "tensorboard");
        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", a.toString())));
        CliRuns.copyTree(a, b);
        Path run = runDir(b);
        List<String> uninterrupted = actual(run);
        assertEquals(0, Main.run(CliRuns.args(common, "--output-dir", b.toString(), "--resume-from-checkpoint",
                b.resolve("checkpoint-2").toString())));
        assertEquals(run, runDir(b), "the resumed run continues the same runs/ folder");
        assertEquals(2, EventFile.eventFiles(run).size());
        assertEquals(Files.readAllLines(a.resolve("metrics.jsonl")), Files.readAllLines(b.resolve("metrics.jsonl")));
        assertMatchesMetrics(b, run, t0);
        assertEquals(uninterrupted, actual(run));
        List<EventFile.Event> second = EventFile.read(EventFile.eventFiles(run).get(1));
        assertEquals(1, second.get(1).sessionStatus());
        assertEquals(3, second.get(1).step());
    }

    @Test
    void withoutReportToNoEventFilesAndABadValueIsAnInputError(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(0, Main.run("dpo", "--model", model.toString(), "--dataset", pairs.toString(), "--output-dir", out.toString(),
                "--max-steps", "1", "--threads", "1"));
        assertFalse(Files.exists(out.resolve("runs")));
        var run = CliRuns.capturingStderr("dpo", "--model", model.toString(), "--dataset", pairs.toString(), "--output-dir",
                tmp.resolve("bad").toString(), "--max-steps", "1", "--threads", "1", "--report-to", "wandb");
        assertEquals(2, run.rc());
        assertTrue(run.err().contains("report_to"), run.err());
    }
}
