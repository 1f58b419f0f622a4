package align4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON Lines file of records that each carry a {@code step}, written beside metrics.jsonl as a run goes
 * (warnings.jsonl, completions.jsonl). A fresh run replaces the file; a resumed run keeps the lines up to the
 * checkpoint's step, as {@link MetricsLog#resume} does, so it ends with the lines of an uninterrupted run. The
 * file is created at the first line; each line is flushed as it is written.
 */
final class StepLines implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private BufferedWriter out;

    private StepLines(Path file) {
        this.file = file;
    }

    /** The file for a run starting fresh (resumeStep &lt; 0: any old file is deleted) or resumed after resumeStep. */
    static StepLines open(Path file, long resumeStep) throws IOException {
        if (resumeStep < 0) {
            Files.deleteIfExists(file);
        } else if (Files.exists(file)) {
            List<String> kept = linesThrough(file, resumeStep);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return new StepLines(file);
    }

    /**
     * The lines of a step-keyed JSON Lines file whose step is ≤ step; blank lines and a torn last line (a run
     * killed mid-write) are dropped.
     */
    static List<String> linesThrough(Path file, long step) throws IOException {
        List<String> kept = new ArrayList<>();
        if (!Files.exists(file)) return kept;
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // the last element is either "" (file ends in a newline) or a line cut short by a kill
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new IOException(file + ", line " + (i + 1) + ": not a JSON object: " + e.getMessage(), e);
            }
            JsonNode s = node.get("step");
            if (s == null || !s.isNumber()) {
                throw new IOException(file + ", line " + (i + 1) + ": field \"step\" is missing or not a number");
            }
            if (s.asLong() <= step) kept.add(line);
        }
        return kept;
    }

    /** Appends {"step": step, ...fields} as one line. */
    void append(long step, Map<String, ?> fields) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("step", step);
        row.putAll(fields);
        try {
            if (out == null) {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            out.write(JSON.writeValueAsString(row));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) out.close();
    }
}
