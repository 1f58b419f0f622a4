package align4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step, with TRL's metric names and HF's
 * {@code log_history} layout (the metrics, then {@code epoch} and {@code step}). Each line is
 * flushed as it is written, so a killed run keeps every line it logged. With {@link #reportingTo} each line's
 * values (all but {@code step}) also go to TensorBoard as scalars at that step, named as Hugging Face's
 * {@code TensorBoardCallback} names them ({@link #tensorBoardTag}: {@code train/loss}, {@code eval/loss}).
 */
public final class MetricsLog implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;
    private TensorBoardWriter tensorBoard;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Starts a new log, replacing any file at that path. */
    public static MetricsLog create(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    /**
     * Continues a log after resuming from the checkpoint of step {@code resumeStep}: lines with a step
     * after it (logged by the interrupted run after its last checkpoint) and a torn last line are
     * dropped, so the resumed run appends the same lines an uninterrupted run would have written.
     * The file is rewritten atomically (temporary file, then rename).
     */
    public static MetricsLog resume(Path file, long resumeStep) throws IOException {
        List<String> kept = StepLines.linesThrough(file, resumeStep);
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
    }

    public Path file() {
        return file;
    }

    /** Also writes every line to this TensorBoard event file from now on; it is closed with the log. */
    public MetricsLog reportingTo(TensorBoardWriter writer) {
        this.tensorBoard = writer;
        return this;
    }

    /**
     * HF's {@code rewrite_logs} (transformers/integrations/integration_utils.py): {@code eval_x} → {@code eval/x},
     * {@code test_x} → {@code test/x}, anything else → {@code train/x}.
     */
    public static String tensorBoardTag(String key) {
        if (key.startsWith("eval_")) return "eval/" + key.substring("eval_".length());
        if (key.startsWith("test_")) return "test/" + key.substring("test_".length());
        return "train/" + key;
    }

    /**
     * A training line: {@code loss} and the other metrics as given, then {@code grad_norm},
     * {@code learning_rate}, {@code epoch}, {@code step}.
     */
    public void logTrain(long step, double epoch, double learningRate, double gradNorm, Map<String, Double> metrics) {
        ObjectNode o = JSON.createObjectNode();
        metrics.forEach(o::put);
        o.put("grad_norm", gradNorm);
        o.put("learning_rate", learningRate);
        write(o, epoch, step);
    }

    /** Any other line (eval metrics, already prefixed {@code eval_}): the metrics, then {@code epoch}, {@code step}. */
    public void log(long step, double epoch, Map<String, Double> metrics) {
        ObjectNode o = JSON.createObjectNode();
        metrics.forEach(o::put);
        write(o, epoch, step);
    }

    private void write(ObjectNode o, double epoch, long step) {
        o.put("epoch", epoch);
        o.put("step", step);
        try {
            out.write(JSON.writeValueAsString(o));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        if (tensorBoard != null) {
            // HF's on_log: add_scalar(tag, value, global_step) for each numeric value of the logs (which hold
            // epoch but not step), then flush
            o.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("step") && f.getValue().isNumber()) {
                    tensorBoard.scalar(tensorBoardTag(f.getKey()), f.getValue().asDouble(), step);
                }
            });
            tensorBoard.flush();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } finally {
            if (tensorBoard != null) tensorBoard.close();
        }
    }
}
