package align4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import align4j.tensor.RopeScaling;

/**
 * A decoder-only transformer's shape, parsed once from a Hugging Face {@code config.json}.
 *
 * <p>Two families share one {@link Transformer}: {@link Family#GPT2} (LayerNorm with bias, learned
 * positions, GELU-tanh MLP, biases everywhere, tied head) and {@link Family#LLAMA} (llama, mistral,
 * qwen2, qwen3: RMSNorm, RoPE, SwiGLU MLP, grouped-query attention, optional q/k/v bias).
 *
 * @param qkNorm Qwen3's RMSNorm on each query and key head before RoPE (q_norm, k_norm)
 * @param raw the parsed config.json, kept so that a saved model writes it back unchanged
 */
public record ModelConfig(
        Family family,
        String modelType,
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int intermediate,
        int maxPositions,
        float normEps,
        float ropeTheta,
        RopeScaling ropeScaling,
        boolean qkvBias,
        boolean outBias,
        boolean mlpBias,
        boolean tiedEmbeddings,
        boolean qkNorm,
        ObjectNode raw) {

    public enum Family { GPT2, LLAMA }

    /** Width of the fused q,k,v projection output: (heads + 2·kvHeads)·headDim. */
    public int qkvDim() {
        return (heads + 2 * kvHeads) * headDim;
    }

    /** Width of the fused MLP input projection: 4C for GPT-2 (c_fc), 2I for gate+up in Llama. */
    public int upDim() {
        return family == Family.GPT2 ? intermediate : 2 * intermediate;
    }

    public static ModelConfig load(Path modelDir) throws IOException {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file + ": not found; a Hugging Face model folder needs config.json");
        }
        return loadFile(file);
    }

    /** A config.json file by its path. */
    public static ModelConfig loadFile(Path file) throws IOException {
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode obj)) throw new ModelFormatException(file + ": expected a JSON object");
        return parse(obj, file.toString());
    }

    public static ModelConfig parse(ObjectNode c, String where) {
        Fields f = new Fields(c, where);
        String type = f.str("model_type", null);
        if (type == null) throw new ModelFormatException(where + ": field 'model_type' is missing");
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "gpt2" -> {
                int hidden = f.integer("n_embd", null);
                int heads = f.integer("n_head", null);
                int inner = c.hasNonNull("n_inner") ? f.integer("n_inner", null) : 4 * hidden;
                String act = f.str("activation_function", "gelu_new");
                if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
                    throw new ModelFormatException(where + ": field 'activation_function' is '" + act
                            + "'; align4j implements GPT-2's tanh GELU ('gelu_new')");
                }
                check(hidden % heads == 0, where, "n_embd " + hidden + " is not divisible by n_head " + heads);
                yield new ModelConfig(Family.GPT2, type, f.integer("vocab_size", null), hidden,
                        f.integer("n_layer", null), heads, heads, hidden / heads, inner,
                        f.integer("n_positions", 1024), (float) f.dbl("layer_norm_epsilon", 1e-5), 0f, null,
                        true, true, true, f.bool("tie_word_embeddings", true), false, c);
            }
            case "llama", "mistral", "qwen2" -> {
                int hidden = f.integer("hidden_size", null);
                int heads = f.integer("num_attention_heads", null);
                int kv = f.integer("num_key_value_heads", heads);
                int headDim = c.hasNonNull("head_dim") ? f.integer("head_dim", null) : hidden / heads;
                check(heads % kv == 0, where, "num_attention_heads " + heads
                        + " is not a multiple of num_key_value_heads " + kv);
                String act = f.str("hidden_act", "silu");
                if (!act.equals("silu")) {
                    throw new ModelFormatException(where + ": field 'hidden_act' is '" + act
                            + "'; align4j implements SwiGLU with 'silu'");
                }
                boolean qwen2 = type.equals("qwen2");
                boolean attnBias = f.bool("attention_bias", false);
                yield new ModelConfig(Family.LLAMA, type, f.integer("vocab_size", null), hidden,
                        f.integer("num_hidden_layers", null), heads, kv, headDim,
                        f.integer("intermediate_size", null), f.integer("max_position_embeddings", 2048),
                        (float) f.dbl("rms_norm_eps", 1e-6), (float) f.dbl("rope_theta", 10000.0),
                        ropeScaling(c, where), qwen2 || attnBias, !qwen2 && attnBias,
                        f.bool("mlp_bias", false), f.bool("tie_word_embeddings", false), false, c);
            }
            case "qwen3" -> qwen3(c, f, type, where);
            default -> throw new ModelFormatException(where + ": model_type '" + type
                    + "' is not supported; align4j runs gpt2, llama, mistral, qwen2 and qwen3");
        };
    }

    /**
     * Qwen3 (transformers models/qwen3: configuration_qwen3.py, modeling_qwen3.py): the Llama block with an
     * RMSNorm of width head_dim on every query and key head after the projection, before RoPE; bias on
     * q/k/v and o only with attention_bias; no MLP bias. Missing fields take Qwen3Config's defaults
     * (head_dim 128, num_key_value_heads 32, max_position_embeddings 32768). Sliding-window layers are refused.
     */
    private static ModelConfig qwen3(ObjectNode c, Fields f, String type, String where) {
        if (f.bool("use_sliding_window", false)) {
            throw new ModelFormatException(where + ": field 'use_sliding_window' is true; align4j runs Qwen3 with "
                    + "full attention in every layer (use_sliding_window: false)");
        }
        JsonNode layerTypes = c.get("layer_types");
        if (layerTypes != null && !layerTypes.isNull()) {
            for (JsonNode lt : layerTypes) {
                if (!lt.asText().equals("full_attention")) {
                    throw new ModelFormatException(where + ": field 'layer_types' holds '" + lt.asText()
                            + "'; align4j runs Qwen3 with 'full_attention' layers only");
                }
            }
        }
        int hidden = f.integer("hidden_size", null);
        int heads = f.integer("num_attention_heads", null);
        // Qwen3Config: num_key_value_heads defaults to 32; an explicit null means num_attention_heads
        int kv = c.has("num_key_value_heads") ? f.integer("num_key_value_heads", heads) : 32;
        check(heads % kv == 0, where, "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kv);
        String act = f.str("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelFormatException(where + ": field 'hidden_act' is '" + act + "'; align4j implements SwiGLU with 'silu'");
        }
        boolean attnBias = f.bool("attention_bias", false);
        float theta = (float) f.dbl("rope_theta", 10000.0);
        RopeScaling scaling = ropeScaling(c, where);
        // transformers >= 5 writes rope_parameters {rope_type, rope_theta, ...} in place of rope_theta/rope_scaling
        JsonNode rp = c.get("rope_parameters");
        if (rp != null && !rp.isNull()) {
            if (rp.has("rope_theta")) theta = (float) rp.get("rope_theta").asDouble();
            scaling = ropeScaling(rp, "rope_parameters", where);
        }
        return new ModelConfig(Family.LLAMA, type, f.integer("vocab_size", null), hidden,
                f.integer("num_hidden_layers", null), heads, kv, f.integer("head_dim", 128),
                f.integer("intermediate_size", null), f.integer("max_position_embeddings", 32768),
                (float) f.dbl("rms_norm_eps", 1e-6), theta, scaling, attnBias, attnBias, false,
                f.bool("tie_word_embeddings", false), true, c);
    }

    private static RopeScaling ropeScaling(ObjectNode c, String where) {
        return ropeScaling(c.get("rope_scaling"), "rope_scaling", where);
    }

    /** The RoPE scaling an object of config field {@code key} describes (rope_type or type); null for none. */
    private static RopeScaling ropeScaling(JsonNode rs, String key, String where) {
        if (rs == null || rs.isNull()) return null;
        String type = rs.has("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("default");
        return switch (type) {
            case "default" -> null;
            case "linear" -> new RopeScaling(type, (float) rs.path("factor").asDouble(1.0), 0, 0, 0);
            case "llama3" -> new RopeScaling(type, (float) rs.path("factor").asDouble(8.0),
                    (float) rs.path("low_freq_factor").asDouble(1.0), (float) rs.path("high_freq_factor").asDouble(4.0),
                    rs.path("original_max_position_embeddings").asInt(8192));
            default -> throw new ModelFormatException(where + ": " + key + " type '" + type
                    + "' is not supported (supported: default, linear, llama3)");
        };
    }

    private static void check(boolean ok, String where, String msg) {
        if (!ok) throw new ModelFormatException(where + ": " + msg);
    }

    /** Typed reads of config fields with errors that name the file and field. */
    private record Fields(ObjectNode c, String where) {
        int integer(String name, Integer dflt) {
            JsonNode n = c.get(name);
            if (n == null || n.isNull()) {
                if (dflt == null) throw new ModelFormatException(where + ": field '" + name + "' is missing");
                return dflt;
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new ModelFormatException(where + ": field '" + name + "' must be an integer, got " + n);
            }
            int v = n.asInt();
            if (v <= 0) throw new ModelFormatException(where + ": field '" + name + "' must be positive, got " + v);
            return v;
        }

        double dbl(String name, double dflt) {
            JsonNode n = c.get(name);
            if (n == null || n.isNull()) return dflt;
            if (!n.isNumber()) throw new ModelFormatException(where + ": field '" + name + "' must be a number, got " + n);
            return n.asDouble();
        }

        boolean bool(String name, boolean dflt) {
            JsonNode n = c.get(name);
            if (n == null || n.isNull()) return dflt;
            if (!n.isBoolean()) throw new ModelFormatException(where + ": field '" + name + "' must be true or false, got " + n);
            return n.asBoolean();
        }

        String str(String name, String dflt) {
            JsonNode n = c.get(name);
            if (n == null || n.isNull()) return dflt;
            return n.asText();
        }
    }
}
