package align4j.train;

import align4j.io.AtomicWrite;
import align4j.io.DType;
import align4j.io.SafetensorsReader;
import align4j.io.SafetensorsWriter;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code checkpoint-N/} folders: every parameter (model.safetensors, canonical names, F32), AdamW's
 * moments (optimizer.safetensors) and trainer_state.json (step, data position, the partly filled
 * logging window). A checkpoint is built in a temporary folder and renamed into place, so a killed run
 * leaves either the whole checkpoint or none.
 */
public final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /**
     * What a checkpoint restores besides tensors; {@code extra} holds an algorithm's own scalars (PPO's
     * adaptive KL coefficient), empty for the loops that have none.
     */
    public record State(int globalStep, long examplesSeen, Stats window, Map<String, Double> extra) {}

    public static Path dir(Path outputDir, int step) {
        return outputDir.resolve("checkpoint-" + step);
    }

    public static void save(Path outputDir, int step, List<Tensor> params, AdamW adam, long examplesSeen,
                            Stats window, TrainingArgs args) throws IOException {
        save(outputDir, step, params, adam, examplesSeen, window, args, Map.of());
    }

    /** As above, also keeping an algorithm's scalars in trainer_state.json ("extra"). */
    public static void save(Path outputDir, int step, List<Tensor> params, AdamW adam, long examplesSeen,
                            Stats window, TrainingArgs args, Map<String, Double> extra) throws IOException {
        Path target = dir(outputDir, step);
        if (Files.isDirectory(target)) return;
        Files.createDirectories(outputDir);
        Path tmp = Files.createTempDirectory(outputDir, ".checkpoint-" + step + "-");
        try {
            Map<String, Tensor> model = new LinkedHashMap<>();
            for (Tensor t : params) model.put(t.name, t);
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), model, DType.F32);
            Map<String, Tensor> opt = new LinkedHashMap<>();
            Map<String, Tensor> byName = new LinkedHashMap<>();
            for (Tensor t : params) byName.put(t.name, t);
            ObjectNode steps = JSON.createObjectNode();
            for (Map.Entry<String, AdamW.State> e : adam.state().entrySet()) {
                int[] shape = byName.get(e.getKey()).shape;
                opt.put("exp_avg." + e.getKey(), new Tensor("exp_avg." + e.getKey(), shape, e.getValue().expAvg));
                opt.put("exp_avg_sq." + e.getKey(), new Tensor("exp_avg_sq." + e.getKey(), shape, e.getValue().expAvgSq));
                steps.put(e.getKey(), e.getValue().step());
            }
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), opt, DType.F32);
            ObjectNode state = JSON.createObjectNode();
            state.put("global_step", step);
            state.put("examples_seen", examplesSeen);
            state.set("optimizer_steps", steps);
            ObjectNode w = state.putObject("log_window");
            window.raw().forEach((k, v) -> w.putArray(k).add(v[0]).add(v[1]));
            state.set("args", JSON.valueToTree(argsMap(args)));
            if (!extra.isEmpty()) state.set("extra", JSON.valueToTree(extra));
            AtomicWrite.write(tmp.resolve("trainer_state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
    }

    /** Loads parameters and optimizer state into place; returns the loop state. */
    public static State restore(Path dir, List<Tensor> params, AdamW adam) throws IOException {
        Path stateFile = dir.resolve("trainer_state.json");
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(dir + ": not a checkpoint (trainer_state.json is missing)");
        }
        JsonNode state = JSON.readTree(stateFile.toFile());
        try (SafetensorsReader model = SafetensorsReader.open(dir.resolve("model.safetensors"));
             SafetensorsReader opt = SafetensorsReader.open(dir.resolve("optimizer.safetensors"))) {
            for (Tensor t : params) {
                if (!model.contains(t.name)) throw new IOException(dir + ": checkpoint has no tensor '" + t.name + "'");
                model.readInto(t.name, t.data, 0);
                JsonNode step = state.path("optimizer_steps").get(t.name);
                if (step != null && opt.contains("exp_avg." + t.name)) {
                    float[] m = new float[t.size()], v = new float[t.size()];
                    opt.readInto("exp_avg." + t.name, m, 0);
                    opt.readInto("exp_avg_sq." + t.name, v, 0);
                    adam.restore(t.name, step.asLong(), m, v);
                }
            }
        }
        Map<String, double[]> window = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = state.path("log_window").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            window.put(e.getKey(), new double[] {e.getValue().get(0).asDouble(), e.getValue().get(1).asDouble()});
        }
        Map<String, Double> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = state.path("extra").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            extra.put(e.getKey(), e.getValue().asDouble());
        }
        return new State(state.path("global_step").asInt(), state.path("examples_seen").asLong(), Stats.fromRaw(window), extra);
    }

    /** The checkpoint with the highest step in outputDir, or null. */
    public static Path latest(Path outputDir) {
        List<Path> all = list(outputDir);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Deletes the oldest checkpoints beyond limit (limit ≤ 0 keeps all). */
    public static void prune(Path outputDir, int limit) throws IOException {
        if (limit <= 0) return;
        List<Path> all = list(outputDir);
        for (int i = 0; i < all.size() - limit; i++) deleteTree(all.get(i));
    }

    private static List<Path> list(Path outputDir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(outputDir)) return out;
        try (Stream<Path> s = Files.list(outputDir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()
                            && Files.isRegularFile(p.resolve("trainer_state.json")))
                    .forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparingInt(Checkpoints::stepOf));
        return out;
    }

    private static int stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static Map<String, Object> argsMap(TrainingArgs a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("learning_rate", a.learningRate());
        m.put("per_device_train_batch_size", a.batchSize());
        m.put("gradient_accumulation_steps", a.gradientAccumulationSteps());
        m.put("max_steps", a.maxSteps());
        m.put("num_train_epochs", a.numTrainEpochs());
        m.put("lr_scheduler_type", a.lrSchedulerType());
        m.put("seed", a.seed());
        return m;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
