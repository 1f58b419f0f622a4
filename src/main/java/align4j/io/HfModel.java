package align4j.io;

import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Hugging Face model folders in and out: {@code config.json} plus safetensors weights (one file or
 * shards with {@code model.safetensors.index.json}), converted to and from align4j's canonical tensors.
 * A saved folder loads in {@code transformers} with the tensor names and dtypes of the folder it came from.
 */
public final class HfModel {
    /** Above this many bytes of weights a new model is written as shards (HF's size units: 10^9). */
    static final long SHARD_BYTES = 2_000_000_000L;

    /** Tokenizer and generation files a model folder carries besides its weights. */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model", "generation_config.json",
            "chat_template.jinja");

    private static final Pattern GPT2_MASK = Pattern.compile("h\\.\\d+\\.attn\\.bias");
    private static final Pattern GPT2_MASKED_BIAS = Pattern.compile("h\\.\\d+\\.attn\\.masked_bias");

    private HfModel() {}

    public static LoadedModel load(Path dir) throws IOException {
        dir = HubCache.resolve(dir);
        ModelConfig config = ModelConfig.load(dir);
        try (SafetensorsShards w = SafetensorsShards.open(dir)) {
            String prefix = detectPrefix(config, w);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, DType> dtypes = new LinkedHashMap<>();
            Map<String, String> shards = new LinkedHashMap<>();
            for (HfNames.Mapping m : HfNames.mappings(config, prefix)) {
                float[] data = new float[Math.toIntExact(Tensor.numel(m.shape()))];
                int off = 0;
                for (HfNames.Part part : m.parts()) {
                    SafetensorsReader.TensorInfo info = requireTensor(w, part, m.canonical());
                    if (part.transposed()) {
                        float[] stored = w.read(part.hfName()).data;
                        transpose(stored, part.hfShape()[0], part.hfShape()[1], data);
                    } else {
                        w.readInto(part.hfName(), data, off);
                    }
                    off += (int) part.numel();
                    dtypes.put(part.hfName(), info.dtype().isWritable() ? info.dtype() : DType.F32);
                    if (w.isSharded()) shards.put(part.hfName(), w.fileOf(part.hfName()));
                }
                tensors.put(m.canonical(), new Tensor(m.canonical(), m.shape(), data));
            }
            List<HfLayout.Extra> extras = new ArrayList<>();
            List<String> dropped = new ArrayList<>();
            for (String name : w.names()) {
                if (dtypes.containsKey(name)) continue;
                SafetensorsReader.TensorInfo info = w.info(name);
                HfLayout.Kind kind = extraKind(config, prefix, name);
                if (kind != null && info.dtype().isWritable()) {
                    extras.add(new HfLayout.Extra(name, info.dtype(), info.intShape(), kind));
                    if (w.isSharded()) shards.put(name, w.fileOf(name));
                } else {
                    dropped.add(name);
                }
            }
            HfLayout layout = new HfLayout(prefix, dominant(dtypes), dtypes, shards, extras, dropped);
            return new LoadedModel(config, tensors, layout);
        }
    }

    private static String detectPrefix(ModelConfig config, SafetensorsShards w) {
        List<String> candidates = config.family() == ModelConfig.Family.GPT2
                ? List.of("", "transformer.") : List.of("model.", "");
        for (String p : candidates) {
            if (w.contains(HfNames.embedName(config, p))) return p;
        }
        throw new ModelFormatException(w.dir() + ": the weights have no token embedding (looked for "
                + candidates.stream().map(p -> "'" + HfNames.embedName(config, p) + "'").toList()
                + "); is this a " + config.modelType() + " checkpoint?");
    }

    private static SafetensorsReader.TensorInfo requireTensor(SafetensorsShards w, HfNames.Part part, String canonical) {
        if (!w.contains(part.hfName())) {
            String where = w.isSharded() ? SafetensorsShards.INDEX_FILE : SafetensorsShards.SINGLE_FILE;
            throw new ModelFormatException(w.dir().resolve(where) + ": tensor '" + part.hfName()
                    + "' is missing (align4j needs it for " + canonical + ")");
        }
        SafetensorsReader.TensorInfo info = w.info(part.hfName());
        long[] expected = Arrays.stream(part.hfShape()).asLongStream().toArray();
        if (!Arrays.equals(info.shape(), expected)) {
            throw new ModelFormatException(w.dir().resolve(w.fileOf(part.hfName())) + ": tensor '" + part.hfName()
                    + "' has shape " + Arrays.toString(info.shape()) + " but config.json implies "
                    + Arrays.toString(expected));
        }
        return info;
    }

    private static HfLayout.Kind extraKind(ModelConfig config, String prefix, String name) {
        if (config.tiedEmbeddings() && name.equals("lm_head.weight") && !SequenceClassification.isClassifier(config)) {
            return HfLayout.Kind.TIED_HEAD;
        }
        if (config.family() != ModelConfig.Family.GPT2 || !name.startsWith(prefix)) return null;
        String local = name.substring(prefix.length());
        if (GPT2_MASK.matcher(local).matches()) return HfLayout.Kind.CAUSAL_MASK;
        if (GPT2_MASKED_BIAS.matcher(local).matches()) return HfLayout.Kind.MASKED_BIAS;
        return null;
    }

    /** The dtype most of the weight bytes were stored in (ties → the first met). */
    private static DType dominant(Map<String, DType> dtypes) {
        Map<DType, Integer> count = new EnumMap<>(DType.class);
        dtypes.values().forEach(d -> count.merge(d, 1, Integer::sum));
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F32);
    }

    /**
     * Writes config.json (the raw config with torch_dtype set to the layout's dtype) and the weights:
     * one model.safetensors, or shards with an index when the layout came from shards or a new model
     * exceeds {@value #SHARD_BYTES} bytes. Each file is written atomically; the index last.
     */
    public static void save(Path dir, ModelConfig config, Map<String, Tensor> tensors, HfLayout layout)
            throws IOException {
        Files.createDirectories(dir);
        List<HfNames.Mapping> mappings = HfNames.mappings(config, layout.prefix());
        checkTensors(config, mappings, tensors);
        List<SafetensorsWriter.Entry> entries = new ArrayList<>();
        for (HfNames.Mapping m : mappings) {
            float[] data = tensors.get(m.canonical()).data;
            int off = 0;
            for (HfNames.Part part : m.parts()) {
                int start = off, n = (int) part.numel();
                entries.add(new SafetensorsWriter.Entry(part.hfName(), layout.dtypeOf(part.hfName()), part.hfShape(),
                        () -> part.transposed()
                                ? transposed(data, part.hfShape()[1], part.hfShape()[0])
                                : start == 0 && n == data.length ? data : Arrays.copyOfRange(data, start, start + n)));
                off += n;
            }
        }
        for (HfLayout.Extra e : layout.extras()) {
            entries.add(new SafetensorsWriter.Entry(e.name(), e.dtype(), e.shape(), () -> extraValues(e, tensors)));
        }
        writeWeights(dir, entries, layout);
        writeConfig(dir, config, layout.dtype());
    }

    private static void checkTensors(ModelConfig config, List<HfNames.Mapping> mappings, Map<String, Tensor> tensors) {
        Set<String> expected = new HashSet<>();
        for (HfNames.Mapping m : mappings) {
            expected.add(m.canonical());
            Tensor t = tensors.get(m.canonical());
            if (t == null) {
                throw new IllegalArgumentException("cannot save a " + config.modelType() + " model without tensor '"
                        + m.canonical() + "'");
            }
            if (!Arrays.equals(t.shape, m.shape())) {
                throw new IllegalArgumentException("tensor '" + m.canonical() + "' has shape " + Arrays.toString(t.shape)
                        + " but the config needs " + Arrays.toString(m.shape()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!expected.contains(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' has no Hugging Face name in a "
                        + config.modelType() + " model");
            }
        }
    }

    private static float[] extraValues(HfLayout.Extra e, Map<String, Tensor> tensors) {
        float[] v = new float[Math.toIntExact(Tensor.numel(e.shape()))];
        switch (e.kind()) {
            case TIED_HEAD -> System.arraycopy(tensors.get("embed").data, 0, v, 0, v.length);
            case MASKED_BIAS -> Arrays.fill(v, -1e4f);
            case CAUSAL_MASK -> {
                int rows = e.shape().length < 2 ? 1 : e.shape()[e.shape().length - 2];
                int cols = e.shape().length < 1 ? 1 : e.shape()[e.shape().length - 1];
                for (int base = 0; base < v.length; base += rows * cols) {
                    for (int r = 0; r < rows; r++) Arrays.fill(v, base + r * cols, base + r * cols + Math.min(r + 1, cols), 1f);
                }
            }
        }
        return v;
    }

    private static void writeWeights(Path dir, List<SafetensorsWriter.Entry> entries, HfLayout layout)
            throws IOException {
        Map<String, List<SafetensorsWriter.Entry>> files = new LinkedHashMap<>();
        if (!layout.shards().isEmpty()) {
            String fallback = Collections.min(layout.shards().values());
            for (SafetensorsWriter.Entry e : entries) {
                files.computeIfAbsent(layout.shards().getOrDefault(e.name(), fallback), k -> new ArrayList<>()).add(e);
            }
        } else {
            long total = entries.stream().mapToLong(SafetensorsWriter.Entry::bytes).sum();
            if (total <= SHARD_BYTES) {
                files.put(SafetensorsShards.SINGLE_FILE, entries);
            } else {
                List<List<SafetensorsWriter.Entry>> groups = splitBySize(entries);
                for (int i = 0; i < groups.size(); i++) {
                    files.put(String.format("model-%05d-of-%05d.safetensors", i + 1, groups.size()), groups.get(i));
                }
            }
        }
        Map<String, String> meta = Map.of("format", "pt");
        if (files.size() == 1 && files.containsKey(SafetensorsShards.SINGLE_FILE)) {
            SafetensorsWriter.write(dir.resolve(SafetensorsShards.SINGLE_FILE), entries, meta);
            Files.deleteIfExists(dir.resolve(SafetensorsShards.INDEX_FILE));
            return;
        }
        long totalSize = 0;
        Map<String, String> weightMap = new TreeMap<>();
        for (Map.Entry<String, List<SafetensorsWriter.Entry>> f : files.entrySet()) {
            totalSize += SafetensorsWriter.write(dir.resolve(f.getKey()), f.getValue(), meta);
            for (SafetensorsWriter.Entry e : f.getValue()) weightMap.put(e.name(), f.getKey());
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        AtomicWrite.write(dir.resolve(SafetensorsShards.INDEX_FILE), (json.writeValueAsString(index) + "\n").getBytes(StandardCharsets.UTF_8));
        // HF prefers model.safetensors over the index: a stale one would shadow the shards just written
        Files.deleteIfExists(dir.resolve(SafetensorsShards.SINGLE_FILE));
    }

    private static List<List<SafetensorsWriter.Entry>> splitBySize(List<SafetensorsWriter.Entry> entries) {
        List<List<SafetensorsWriter.Entry>> groups = new ArrayList<>();
        List<SafetensorsWriter.Entry> current = new ArrayList<>();
        long bytes = 0;
        for (SafetensorsWriter.Entry e : entries) {
            if (!current.isEmpty() && bytes + e.bytes() > SHARD_BYTES) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(e);
            bytes += e.bytes();
        }
        groups.add(current);
        return groups;
    }

    private static void writeConfig(Path dir, ModelConfig config, DType dtype) throws IOException {
        ObjectNode raw = config.raw().deepCopy();
        raw.put("torch_dtype", dtype.torchName());
        if (raw.has("dtype")) raw.put("dtype", dtype.torchName());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicWrite.write(dir.resolve("config.json"), (json.writeValueAsString(raw) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Copies the tokenizer and generation files that exist in src to dst; returns the names copied.
     */
    public static List<String> copyTokenizerFiles(Path src, Path dst) throws IOException {
        List<String> copied = new ArrayList<>();
        Files.createDirectories(dst);
        if (Files.isSameFile(src, dst)) return copied;
        for (String name : TOKENIZER_FILES) {
            Path from = src.resolve(name);
            if (Files.isRegularFile(from)) {
                AtomicWrite.write(dst.resolve(name), Files.readAllBytes(from));
                copied.add(name);
            }
        }
        return copied;
    }

    /** dst[c·rows + r] = src[r·cols + c]: [rows, cols] → [cols, rows], in cache-sized blocks. */
    static void transpose(float[] src, int rows, int cols, float[] dst) {
        final int b = 32;
        for (int r0 = 0; r0 < rows; r0 += b) {
            for (int c0 = 0; c0 < cols; c0 += b) {
                int r1 = Math.min(rows, r0 + b), c1 = Math.min(cols, c0 + b);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
                }
            }
        }
    }

    private static float[] transposed(float[] src, int rows, int cols) {
        float[] dst = new float[src.length];
        transpose(src, rows, cols, dst);
        return dst;
    }
}
