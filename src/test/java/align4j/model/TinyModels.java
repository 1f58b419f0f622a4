package align4j.model;

import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.tensor.Tensor;
import align4j.text.TextFixtures;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The tiny models the tests run on: a config.json of each family (a fresh object, so a test states only what it
 * changes: {@code TinyModels.gpt2().put("vocab_size", 16)}), random weights pushed far from uniform, a saved
 * model folder, and the next-token logits of a plain full forward.
 */
public final class TinyModels {
    /** The vocabulary size of the Llama 2 tokenizer under src/test/resources/text. */
    public static final int LLAMA2_VOCAB = 32000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModels() {}

    /** GPT-2: 37 ids, width 16, 2 layers of 2 heads, 32 positions. */
    public static ObjectNode gpt2() {
        return json("{\"model_type\":\"gpt2\",\"vocab_size\":37,\"n_embd\":16,\"n_layer\":2,\"n_head\":2,\"n_positions\":32}");
    }

    /** Llama: 41 ids, hidden 16, MLP 24, 2 layers, 4 query heads on 2 kv heads (GQA). */
    public static ObjectNode llama() {
        return json("{\"model_type\":\"llama\",\"vocab_size\":41,\"hidden_size\":16,\"intermediate_size\":24,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2}");
    }

    /** Qwen2: 41 ids, hidden 16, MLP 24, 2 layers, 2 query heads on 1 kv head of width 6 (not hidden/heads), tied head. */
    public static ObjectNode qwen2() {
        return json("{\"model_type\":\"qwen2\",\"vocab_size\":41,\"hidden_size\":16,\"intermediate_size\":24,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"head_dim\":6,"
                + "\"tie_word_embeddings\":true}");
    }

    /**
     * Qwen3: 41 ids, hidden 16, MLP 24, 2 layers, 4 query heads on 2 kv heads of width 6 (not hidden/heads) with
     * their q/k norms, tied head.
     */
    public static ObjectNode qwen3() {
        return json("{\"model_type\":\"qwen3\",\"vocab_size\":41,\"hidden_size\":16,\"intermediate_size\":24,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":6,"
                + "\"tie_word_embeddings\":true}");
    }

    /** A one-layer Llama over a real tokenizer's ids: hidden 16, MLP 16, 2 heads. */
    public static ObjectNode oneLayerLlama(int vocab) {
        return json("{\"model_type\":\"llama\",\"vocab_size\":" + vocab + ",\"hidden_size\":16,\"intermediate_size\":16,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2}");
    }

    /** A JSON object from its text. */
    public static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The parsed config; name is where its errors say it came from. */
    public static ModelConfig config(ObjectNode json, String name) {
        return ModelConfig.parse(json, name);
    }

    /** {@link ModelInit#random} weights plus N(0, noise²) on every element, drawn from seed + 1. */
    public static Map<String, Tensor> randomWeights(ModelConfig cfg, long seed, double noise) {
        return randomWeights(cfg, seed, seed + 1, noise);
    }

    /**
     * {@link ModelInit#random} weights plus N(0, noise²) on every element (biases and norms included), drawn from
     * noiseSeed in parameter order, so that logits are far from uniform and gradients are not tiny.
     */
    public static Map<String, Tensor> randomWeights(ModelConfig cfg, long seed, long noiseSeed, double noise) {
        Map<String, Tensor> p = ModelInit.random(cfg, seed);
        SplittableRandom rnd = new SplittableRandom(noiseSeed);
        for (Tensor t : p.values()) {
            for (int i = 0; i < t.data.length; i++) t.data[i] += (float) (rnd.nextGaussian() * noise);
        }
        return p;
    }

    /** Next-token logits after ids from a fresh full forward: the plain path that cached decoding is checked against. */
    public static float[] nextTokenLogits(Transformer m, int[] ids) {
        BatchBuilder b = new BatchBuilder();
        b.addScoredSequence(ids, ids.length);
        float[] hidden = m.forwardHidden(b.build(), false);
        float[] out = new float[m.head().vocab()];
        m.logitsAt(out, hidden, new int[] {ids.length - 1}, 1);
        return out;
    }

    /** A model folder holding cfg and the weights in f32; returns dir. */
    public static Path save(Path dir, ModelConfig cfg, Map<String, Tensor> weights) throws IOException {
        HfModel.save(dir, cfg, weights, HfLayout.forNew(cfg, DType.F32));
        return dir;
    }

    /** A model folder as {@link #save}, with the files of one of the test tokenizers (e.g. "llama2"). */
    public static Path save(Path dir, ModelConfig cfg, Map<String, Tensor> weights, String tokenizer) throws IOException {
        save(dir, cfg, weights);
        HfModel.copyTokenizerFiles(TextFixtures.tokenizerDir(tokenizer), dir);
        return dir;
    }
}
