package align4j.io;

import align4j.model.Lora;
import align4j.model.LoraConfig;
import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A PEFT LoRA folder, as {@code PeftModel.save_pretrained} writes it and {@code PeftModel.from_pretrained}
 * reads it: {@code adapter_config.json} (LoraConfig's fields) and {@code adapter_model.safetensors}
 * (F32, metadata {"format": "pt"}) holding {@code <module path>.lora_A.weight} [r, in] and
 * {@code .lora_B.weight} [out, r] for each adapted module, with the adapter name ("default") left out of
 * the keys as PEFT's get_peft_model_state_dict does. For GPT-2's Conv1D layers the shapes are the same
 * (PEFT reads in/out from the [in, out] Conv1D weight) and fan_in_fan_out is true.
 *
 * <p>A reward model's adapter (task_type SEQ_CLS) also trains the score head: PEFT's
 * PeftModelForSequenceClassification adds {@code ["classifier", "score"]} to modules_to_save and saves the
 * head's full copy as {@code base_model.model.score.weight} (the "modules_to_save.default" part of its
 * in-memory name left out, as for the LoRA tensors). The base is the language model (or reward model) the
 * classifier was built on.
 */
public final class PeftAdapter {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    /** The score head of a SEQ_CLS adapter, as PEFT saves a modules_to_save copy of {@code score}. */
    public static final String SCORE_KEY = "base_model.model.score.weight";
    /** What PEFT adds to modules_to_save for task_type SEQ_CLS (the head's name in the HF class). */
    private static final List<String> SEQ_CLS_MODULES = List.of("classifier", "score");

    private PeftAdapter() {}

    /**
     * What a PEFT folder holds: the folder, the LoRA hyper-parameters, the base model it names, the A/B tensors, and
     * for a reward model's adapter (task_type SEQ_CLS) its score head [1, C] (else null).
     */
    public record Loaded(Path dir, LoraConfig config, String baseModelNameOrPath, Map<String, Tensor> tensors, Tensor score) {
        public boolean sequenceClassification() {
            return score != null;
        }
    }

    public static boolean isAdapterFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    /** The base folder an adapter names in base_model_name_or_path, which must exist locally (reads adapter_config.json only). */
    public static Path baseFolder(Path dir) {
        JsonNode n = readConfig(dir.resolve(CONFIG_FILE)).get("base_model_name_or_path");
        String name = n != null && n.isTextual() ? n.asText() : null;
        if (name != null && !Files.exists(Path.of(name)) && HubCache.isHubName(name)) {
            return HubCache.resolve(Path.of(name)); // PEFT writes the base's Hub id: its snapshot in the local cache
        }
        if (name == null || !Files.isDirectory(Path.of(name))) {
            throw new ModelFormatException(dir.resolve(CONFIG_FILE) + ": base_model_name_or_path " + name
                    + " is not a local folder; pass the base model with --model DIR");
        }
        return Path.of(name);
    }

    public static void save(Path dir, Lora lora, String baseModelNameOrPath) throws IOException {
        save(dir, lora, baseModelNameOrPath, null);
    }

    /**
     * Saves the adapters; with a score head (a reward model's adapter) as task_type SEQ_CLS with the head under
     * {@link #SCORE_KEY}, as PEFT saves a sequence classifier.
     */
    public static void save(Path dir, Lora lora, String baseModelNameOrPath, Tensor score) throws IOException {
        Files.createDirectories(dir);
        Map<String, Tensor> tensors = new LinkedHashMap<>(lora.tensors());
        if (score != null) tensors.put(SCORE_KEY, score);
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, DType.F32);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        AtomicWrite.write(dir.resolve(CONFIG_FILE),
                (json.writeValueAsString(configJson(lora.modelConfig, lora.config, baseModelNameOrPath, score != null)) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** adapter_config.json's fields with PEFT's defaults for everything align4j does not vary. */
    static Map<String, Object> configJson(ModelConfig model, LoraConfig c, String base, boolean sequenceClassification) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alpha_pattern", Map.of());
        m.put("auto_mapping", null);
        m.put("base_model_name_or_path", base);
        m.put("bias", "none");
        m.put("fan_in_fan_out", model.family() == ModelConfig.Family.GPT2);
        m.put("inference_mode", true);
        m.put("init_lora_weights", true);
        m.put("layer_replication", null);
        m.put("layers_pattern", null);
        m.put("layers_to_transform", null);
        m.put("loftq_config", Map.of());
        m.put("lora_alpha", c.alpha() == Math.rint(c.alpha()) ? (Object) (long) c.alpha() : (Object) c.alpha());
        m.put("lora_dropout", c.dropout());
        m.put("megatron_config", null);
        m.put("megatron_core", "megatron.core");
        m.put("modules_to_save", sequenceClassification ? SEQ_CLS_MODULES : null);
        m.put("peft_type", "LORA");
        m.put("r", c.r());
        m.put("rank_pattern", Map.of());
        m.put("revision", null);
        // PEFT keeps target_modules as a set (all-linear already expanded) and saves it as a list
        m.put("target_modules", new ArrayList<>(new TreeSet<>(Lora.resolvedTargets(model, c))));
        m.put("task_type", sequenceClassification ? "SEQ_CLS" : "CAUSAL_LM");
        m.put("use_dora", false);
        m.put("use_rslora", false);
        return m;
    }

    /** Reads a PEFT LoRA folder as trainable adapters for the given base model. */
    public static Lora read(Path dir, ModelConfig model, long seed) throws IOException {
        return read(load(dir), model, seed);
    }

    /** The adapters of a loaded PEFT folder, checked against the base model they are for. */
    public static Lora read(Loaded l, ModelConfig model, long seed) {
        Path weights = l.dir().resolve(WEIGHTS_FILE);
        Lora lora;
        try {
            lora = Lora.of(model, l.config(), l.tensors(), seed);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(weights + ": " + e.getMessage());
        }
        if (l.sequenceClassification() && (l.score().shape.length != 2 || l.score().shape[0] != 1 || l.score().shape[1] != model.hidden())) {
            throw new ModelFormatException(weights + ": tensor '" + SCORE_KEY + "' has shape " + java.util.Arrays.toString(l.score().shape)
                    + "; a reward model's score head is [1, " + model.hidden() + "]");
        }
        for (String name : l.tensors().keySet()) {
            if (!lora.tensors().containsKey(name)) {
                throw new ModelFormatException(weights + ": tensor '" + name + "' belongs to no adapted module of this "
                        + model.modelType() + " model (target_modules " + Lora.resolvedTargets(model, l.config()) + ")");
            }
        }
        return lora;
    }

    /** Reads a PEFT LoRA folder; errors name the file and field. Tensors are checked by {@link Lora#of}. */
    public static Loaded load(Path dir) throws IOException {
        Path file = dir.resolve(CONFIG_FILE);
        JsonNode n = readConfig(file);
        if (!"LORA".equals(n.path("peft_type").asText())) {
            throw new ModelFormatException(file + ": field 'peft_type' is " + n.get("peft_type") + "; align4j reads LORA adapters");
        }
        if (!n.path("bias").asText("none").equals("none")) {
            throw new ModelFormatException(file + ": field 'bias' is " + n.get("bias") + "; align4j supports \"none\"");
        }
        for (String f : new String[] {"use_dora", "use_rslora"}) {
            if (n.path(f).asBoolean(false)) throw new ModelFormatException(file + ": field '" + f + "' is true; not supported");
        }
        for (String f : new String[] {"rank_pattern", "alpha_pattern"}) {
            if (n.has(f) && n.get(f).size() > 0) throw new ModelFormatException(file + ": field '" + f + "' is not supported");
        }
        if (n.has("layers_to_transform") && !n.get("layers_to_transform").isNull()) {
            throw new ModelFormatException(file + ": field 'layers_to_transform' is not supported");
        }
        String task = n.path("task_type").asText("CAUSAL_LM");
        boolean seqCls = task.equals("SEQ_CLS");
        if (!seqCls && !task.equals("CAUSAL_LM")) {
            throw new ModelFormatException(file + ": field 'task_type' is " + n.get("task_type") + "; align4j reads CAUSAL_LM and SEQ_CLS adapters");
        }
        JsonNode save = n.get("modules_to_save");
        if (save != null && !save.isNull()) {
            boolean ok = seqCls && save.isArray();
            if (ok) for (JsonNode e : save) ok &= SEQ_CLS_MODULES.contains(e.asText());
            if (!ok) {
                throw new ModelFormatException(file + ": field 'modules_to_save' is " + save + "; align4j supports only the score head"
                        + " PEFT saves for task_type SEQ_CLS " + SEQ_CLS_MODULES);
            }
        }
        if (!n.path("r").canConvertToInt() || !n.path("r").isIntegralNumber()) {
            throw new ModelFormatException(file + ": field 'r' must be an integer, got " + n.get("r"));
        }
        if (!n.path("lora_alpha").isNumber()) throw new ModelFormatException(file + ": field 'lora_alpha' must be a number");
        List<String> targets;
        JsonNode t = n.get("target_modules");
        if (t instanceof ArrayNode a) {
            targets = new ArrayList<>();
            for (JsonNode e : a) targets.add(e.asText());
        } else if (t != null && t.isTextual() && t.asText().equals("all-linear")) {
            targets = List.of("all-linear");
        } else {
            throw new ModelFormatException(file + ": field 'target_modules' must be a list of module names or \"all-linear\", got "
                    + t + " (regular expressions are not supported)");
        }
        LoraConfig config;
        try {
            config = new LoraConfig(n.get("r").asInt(), n.get("lora_alpha").asDouble(), n.path("lora_dropout").asDouble(0),
                    targets);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage());
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) throw new ModelFormatException(weights + ": not found");
        Tensor score = null;
        try (SafetensorsReader r = SafetensorsReader.open(weights)) {
            for (String name : r.tensors().keySet()) {
                if (seqCls && name.equals(SCORE_KEY)) {
                    // named as the reward model's own head, so a training run checkpoints and restores it as such
                    Tensor h = r.read(name);
                    score = new Tensor(align4j.model.ParamNames.SCORE, h.shape);
                    System.arraycopy(h.data, 0, score.data, 0, h.size());
                } else {
                    tensors.put(name, r.read(name));
                }
            }
        }
        if (seqCls && score == null) {
            throw new ModelFormatException(weights + ": task_type SEQ_CLS but no '" + SCORE_KEY + "' (the reward model's score head)");
        }
        String base = n.path("base_model_name_or_path").isTextual() ? n.get("base_model_name_or_path").asText() : null;
        return new Loaded(dir, config, base, tensors, score);
    }

    private static JsonNode readConfig(Path file) {
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file + ": not found; a PEFT adapter folder needs it");
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage());
        }
    }
}
