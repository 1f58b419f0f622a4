package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    private static Map<String, Double> metrics(double loss) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("rewards/accuracies", 0.75);
        return m;
    }

    @Test
    void eachLineIsOneFlushedJsonObjectInHfLogOrder() throws Exception {
        Path f = dir.resolve("out/metrics.jsonl");
        try (MetricsLog log = MetricsLog.create(f)) {
            log.logTrain(10, 0.5, 1e-6, 1.25, metrics(0.69));
            // readable before close: every line is flushed
            assertEquals(1, Files.readAllLines(f).size());
            log.log(10, 0.5, Map.of("eval_loss", 0.6));
        }
        List<String> lines = Files.readAllLines(f);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("loss", "rewards/accuracies", "grad_norm", "learning_rate", "epoch", "step"), keys);
        assertEquals(10, first.get("step").asLong());
        assertEquals(1e-6, first.get("learning_rate").asDouble(), 0.0);
        assertEquals(0.6, new ObjectMapper().readTree(lines.get(1)).get("eval_loss").asDouble(), 0.0);
    }

    @Test
    void resumeDropsLinesAfterTheCheckpointAndATornLastLine() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.create(f)) {
            for (int step = 1; step <= 4; step++) log.logTrain(step, step / 4.0, 0.1, 1, metrics(1.0 / step));
        }
        Files.writeString(f, Files.readString(f) + "{\"loss\": 0.1, \"ste", StandardCharsets.UTF_8);
        try (MetricsLog log = MetricsLog.resume(f, 2)) {
            log.logTrain(3, 0.75, 0.1, 1, metrics(0.3));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(3, lines.size());
        assertEquals(List.of(1L, 2L, 3L), lines.stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l).get("step").asLong();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList());
    }

    @Test
    void resumeNamesTheLineOfACorruptEntry() throws Exception {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(f, "{\"loss\":1,\"step\":1}\n{\"loss\":1}\n");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> MetricsLog.resume(f, 5));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("step"), e.getMessage());
    }
}
