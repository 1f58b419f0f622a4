package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.HfNames;
import align4j.io.SequenceClassification;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Qwen3's config.json as transformers reads it (configuration_qwen3.py): its defaults, its q/k norms and
 * biases, the names of its tensors and LoRA modules, and the features align4j refuses, named by key and value.
 */
class Qwen3ConfigTest {
    /** Qwen/Qwen3-0.6B's config.json (the fields that shape the model). */
    static ObjectNode qwen3_06b() {
        return TinyModels.json("{\"architectures\":[\"Qwen3ForCausalLM\"],\"attention_bias\":false,\"attention_dropout\":0.0,"
                + "\"head_dim\":128,\"hidden_act\":\"silu\",\"hidden_size\":1024,\"intermediate_size\":3072,"
                + "\"max_position_embeddings\":40960,\"max_window_layers\":28,\"model_type\":\"qwen3\",\"num_attention_heads\":16,"
                + "\"num_hidden_layers\":28,\"num_key_value_heads\":8,\"rms_norm_eps\":1e-06,\"rope_scaling\":null,"
                + "\"rope_theta\":1000000,\"sliding_window\":null,\"tie_word_embeddings\":true,\"use_sliding_window\":false,"
                + "\"vocab_size\":151936}");
    }

    static String refusal(ObjectNode json) {
        return assertThrows(ModelFormatException.class, () -> ModelConfig.parse(json, "config.json")).getMessage();
    }

    @Test
    void qwen3_06bHasHeadDimApartFromHiddenOverHeadsQkNormsAndNoBiases() {
        ModelConfig c = ModelConfig.parse(qwen3_06b(), "config.json");
        assertEquals(ModelConfig.Family.LLAMA, c.family());
        assertEquals(128, c.headDim());
        assertEquals(16 * 128, c.heads() * c.headDim(), "q_proj is [2048, 1024]");
        assertEquals((16 + 2 * 8) * 128, c.qkvDim());
        assertTrue(c.qkNorm());
        assertFalse(c.qkvBias() || c.outBias() || c.mlpBias());
        assertTrue(c.tiedEmbeddings());
        assertEquals(1e6f, c.ropeTheta());
        assertEquals(1e-6f, c.normEps());
        assertNull(c.ropeScaling());
    }

    @Test
    void missingFieldsTakeQwen3ConfigDefaults() {
        ObjectNode j = TinyModels.json("{\"model_type\":\"qwen3\",\"vocab_size\":50,\"hidden_size\":64,\"intermediate_size\":96,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":64}");
        ModelConfig c = ModelConfig.parse(j, "config.json");
        assertEquals(128, c.headDim(), "head_dim defaults to 128, not hidden/heads");
        assertEquals(32, c.kvHeads(), "num_key_value_heads defaults to 32");
        assertEquals(32768, c.maxPositions());
        assertEquals(10000f, c.ropeTheta());
        assertFalse(c.tiedEmbeddings());
        assertEquals(64, ModelConfig.parse(j.putNull("num_key_value_heads"), "config.json").kvHeads(), "null means num_attention_heads");
    }

    @Test
    void attentionBiasAddsQkvAndOutputBiasesAndTheMlpNeverHasOne() {
        ModelConfig c = ModelConfig.parse(TinyModels.qwen3().put("attention_bias", true).put("mlp_bias", true), "config.json");
        assertTrue(c.qkvBias() && c.outBias());
        assertFalse(c.mlpBias(), "Qwen3MLP has no bias whatever mlp_bias says");
    }

    @Test
    void ropeParametersOfTransformers5AreRead() {
        ObjectNode j = TinyModels.qwen3();
        j.set("rope_parameters", TinyModels.json("{\"rope_type\":\"linear\",\"factor\":2.0,\"rope_theta\":5000.0}"));
        ModelConfig c = ModelConfig.parse(j, "config.json");
        assertEquals(5000f, c.ropeTheta());
        assertEquals("linear", c.ropeScaling().type());
    }

    @Test
    void unsupportedFeaturesAreRefusedNamingTheKeyAndValue() {
        assertTrue(refusal(qwen3_06b().put("use_sliding_window", true)).contains("'use_sliding_window' is true"));
        ObjectNode layers = qwen3_06b();
        layers.putArray("layer_types").add("full_attention").add("sliding_attention");
        assertTrue(refusal(layers).contains("'layer_types' holds 'sliding_attention'"), refusal(layers));
        ObjectNode yarn = qwen3_06b();
        yarn.set("rope_scaling", TinyModels.json("{\"rope_type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":32768}"));
        assertTrue(refusal(yarn).contains("rope_scaling type 'yarn' is not supported"), refusal(yarn));
        ObjectNode dynamic = qwen3_06b();
        dynamic.set("rope_parameters", TinyModels.json("{\"rope_type\":\"dynamic\",\"rope_theta\":1000000}"));
        assertTrue(refusal(dynamic).contains("rope_parameters type 'dynamic' is not supported"), refusal(dynamic));
        assertTrue(refusal(qwen3_06b().put("hidden_act", "gelu")).contains("'hidden_act' is 'gelu'"));
    }

    @Test
    void qAndKNormsHaveTheirHuggingFaceNames() {
        ModelConfig c = ModelConfig.parse(TinyModels.qwen3(), "config.json");
        List<HfNames.Mapping> m = HfNames.mappings(c, "model.");
        HfNames.Mapping q = m.stream().filter(x -> x.canonical().equals("layers.1.q_norm.weight")).findFirst().orElseThrow();
        assertEquals("model.layers.1.self_attn.q_norm.weight", q.parts().get(0).hfName());
        assertArrayEquals(new int[] {6}, q.shape());
        assertTrue(m.stream().anyMatch(x -> x.parts().get(0).hfName().equals("model.layers.0.self_attn.k_norm.weight")));
        assertTrue(m.stream().noneMatch(x -> x.canonical().equals(ParamNames.LM_HEAD)), "tied");
        assertEquals(ModelInit.random(c, 1).keySet(), new java.util.LinkedHashSet<>(m.stream().map(HfNames.Mapping::canonical).toList()));
    }

    @Test
    void loraTargetsArePeftsForQwen3() {
        ModelConfig c = ModelConfig.parse(TinyModels.qwen3(), "config.json");
        assertEquals(List.of("q_proj", "v_proj"), Lora.defaultTargets(c));
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), Lora.allLinear(c));
    }

    @Test
    void aRewardModelIsAQwen3ForSequenceClassification() {
        ModelConfig lm = ModelConfig.parse(TinyModels.qwen3().put("eos_token_id", 2), "config.json");
        ModelConfig rm = SequenceClassification.rewardConfig(lm, 2);
        assertEquals("Qwen3ForSequenceClassification", rm.raw().get("architectures").get(0).asText());
        assertTrue(rm.qkNorm());
    }
}
