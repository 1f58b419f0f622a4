package align4j.io;

import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json} ({@code {"metadata": {...}, "weight_map": {tensor: file}}}),
 * each memory-mapped by a {@link SafetensorsReader}.
 */
public final class SafetensorsShards implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final boolean sharded;
    private final List<SafetensorsReader> readers;
    private final Map<String, SafetensorsReader> byTensor;

    private SafetensorsShards(Path dir, boolean sharded, List<SafetensorsReader> readers,
                              Map<String, SafetensorsReader> byTensor) {
        this.dir = dir;
        this.sharded = sharded;
        this.readers = readers;
        this.byTensor = byTensor;
    }

    public static SafetensorsShards open(Path dir) throws IOException {
        // the order transformers' from_pretrained checks: a single file wins over an index
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsReader r = SafetensorsReader.open(single);
            Map<String, SafetensorsReader> by = new LinkedHashMap<>();
            for (String name : r.tensors().keySet()) by.put(name, r);
            return new SafetensorsShards(dir, false, List.of(r), by);
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) return openIndexed(dir, index);
        String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                ? " (it holds pytorch_model.bin: re-save the model with safe_serialization=True)" : "";
        throw new ModelFormatException(dir + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE
                + " found; align4j reads safetensors weights" + hint);
    }

    private static SafetensorsShards openIndexed(Path dir, Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(index + ": not valid JSON: " + e.getMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(index + ": field 'weight_map' (tensor name → shard file) is missing");
        }
        Map<String, SafetensorsReader> byFile = new LinkedHashMap<>();
        Map<String, SafetensorsReader> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                String shard = e.getValue().asText();
                Path file = dir.resolve(shard).normalize();
                if (!e.getValue().isTextual() || !file.startsWith(dir.normalize()) || file.equals(dir.normalize())) {
                    throw new ModelFormatException(index + ": weight_map entry '" + e.getKey()
                            + "' names an invalid shard " + e.getValue());
                }
                SafetensorsReader r = byFile.get(shard);
                if (r == null) {
                    if (!Files.isRegularFile(file)) {
                        throw new ModelFormatException(index + ": shard '" + shard + "' (holding tensor '"
                                + e.getKey() + "') does not exist");
                    }
                    r = SafetensorsReader.open(file);
                    byFile.put(shard, r);
                }
                if (!r.contains(e.getKey())) {
                    throw new ModelFormatException(index + ": tensor '" + e.getKey() + "' is mapped to shard '"
                            + shard + "', which does not contain it");
                }
                byTensor.put(e.getKey(), r);
            }
            for (SafetensorsReader r : byFile.values()) {
                for (String name : r.tensors().keySet()) {
                    SafetensorsReader owner = byTensor.putIfAbsent(name, r);
                    if (owner != null && owner != r) {
                        throw new ModelFormatException(dir + ": tensor '" + name + "' appears in both "
                                + owner.file().getFileName() + " and " + r.file().getFileName());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            byFile.values().forEach(SafetensorsReader::close);
            throw e;
        }
        return new SafetensorsShards(dir, true, List.copyOf(byFile.values()), byTensor);
    }

    public Path dir() {
        return dir;
    }

    /** Whether the weights came through {@code model.safetensors.index.json}. */
    public boolean isSharded() {
        return sharded;
    }

    /** All tensor names, shard by shard in header order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(byTensor.keySet()));
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public SafetensorsReader.TensorInfo info(String name) {
        return reader(name).info(name);
    }

    /** The file name (relative to the folder) that holds this tensor. */
    public String fileOf(String name) {
        return reader(name).file().getFileName().toString();
    }

    public Tensor read(String name) {
        return reader(name).read(name);
    }

    public void readInto(String name, float[] dst, int off) {
        reader(name).readInto(name, dst, off);
    }

    private SafetensorsReader reader(String name) {
        SafetensorsReader r = byTensor.get(name);
        if (r == null) {
            throw new ModelFormatException(dir + ": tensor '" + name + "' is not in "
                    + (sharded ? "any shard of " + INDEX_FILE : SINGLE_FILE));
        }
        return r;
    }

    @Override
    public void close() {
        readers.forEach(SafetensorsReader::close);
    }
}
