package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
    private static ModelConfig parse(String json) throws Exception {
        return ModelConfig.parse((ObjectNode) new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void gpt2DerivesHeadDimAndInnerWidth() throws Exception {
        ModelConfig c = parse("{\"model_type\":\"gpt2\",\"vocab_size\":50257,\"n_embd\":768,\"n_layer\":12,\"n_head\":12,\"n_positions\":1024}");
        assertEquals(ModelConfig.Family.GPT2, c.family());
        assertEquals(64, c.headDim());
        assertEquals(3072, c.intermediate());
        assertTrue(c.tiedEmbeddings());
        assertEquals(3 * 768, c.qkvDim());
    }

    @Test
    void qwen2HasQkvBiasAndGroupedKvHeads() throws Exception {
        ModelConfig c = parse("{\"model_type\":\"qwen2\",\"vocab_size\":151936,\"hidden_size\":896,\"intermediate_size\":4864,"
                + "\"num_hidden_layers\":24,\"num_attention_heads\":14,\"num_key_value_heads\":2,\"rope_theta\":1000000.0,"
                + "\"rms_norm_eps\":1e-6,\"tie_word_embeddings\":true}");
        assertTrue(c.qkvBias());
        assertFalse(c.outBias());
        assertEquals(64, c.headDim());
        assertEquals((14 + 4) * 64, c.qkvDim());
        assertEquals(2 * 4864, c.upDim());
        assertEquals(1_000_000f, c.ropeTheta());
    }

    @Test
    void explicitHeadDimWins() throws Exception {
        ModelConfig c = parse("{\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":64,\"intermediate_size\":128,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"head_dim\":32}");
        assertEquals(32, c.headDim());
        assertEquals(4, c.kvHeads());
    }

    @Test
    void unknownModelTypeIsNamed() {
        var e = assertThrows(ModelFormatException.class, () -> parse("{\"model_type\":\"bert\"}"));
        assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        var e = assertThrows(ModelFormatException.class, () -> parse("{\"model_type\":\"gpt2\",\"n_embd\":8,\"n_head\":2}"));
        assertTrue(e.getMessage().contains("'vocab_size'"), e.getMessage());
    }
}
