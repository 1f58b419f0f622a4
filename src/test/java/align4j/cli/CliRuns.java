package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the command tests share: a command line from common and extra arguments, running {@code align4j} in-process
 * with its stderr captured, reading a run's metrics.jsonl, and copying a run's folder.
 */
final class CliRuns {
    private CliRuns() {}

    /** The exit code of one run and what it printed to stderr. */
    record Result(int rc, String err) {}

    /** The common arguments followed by more, as one command line. */
    static String[] args(List<String> common, String... more) {
        List<String> a = new ArrayList<>(common);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** {@code align4j args...} with System.err captured for the run's duration. */
    static Result capturingStderr(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            rc = Main.run(args);
        } finally {
            System.setErr(old);
        }
        return new Result(rc, err.toString());
    }

    /** The rows of a run's metrics.jsonl, in order. */
    static List<JsonNode> metrics(Path out) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        for (String s : Files.readAllLines(out.resolve("metrics.jsonl"))) l.add(DpoFixtures.JSON.readTree(s));
        return l;
    }

    /** Copies the folder from (e.g. a checkpoint) to to, files and subfolders. */
    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    /**
     * Runs a training command line (its flags in common, save every 4 of 8 steps) to the end, then again from a copy of
     * its step-4 checkpoint and metrics.jsonl with --resume-from-checkpoint last: both runs end with the same weights
     * (the adapter's with LoRA) and the same metrics.jsonl, byte for byte.
     */
    static void assertResumeEqualsUninterrupted(List<String> common, Path tmp, boolean lora) throws Exception {
        Path full = tmp.resolve("full"), resumed = tmp.resolve("resumed");
        assertEquals(0, Main.run(args(common, "--output-dir", full.toString())));
        copyTree(full.resolve("checkpoint-4"), resumed.resolve("checkpoint-4"));
        Files.copy(full.resolve("metrics.jsonl"), resumed.resolve("metrics.jsonl"));
        assertEquals(0, Main.run(args(common, "--output-dir", resumed.toString(), "--resume-from-checkpoint", "last")));
        String weights = lora ? "adapter_model.safetensors" : "model.safetensors";
        assertArrayEquals(Files.readAllBytes(full.resolve(weights)), Files.readAllBytes(resumed.resolve(weights)));
        assertEquals(Files.readAllLines(full.resolve("metrics.jsonl")), Files.readAllLines(resumed.resolve("metrics.jsonl")));
    }
}
