package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.tensor.Bf16;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitModelCommandTest {
    private static final String QWEN2 = "{\"model_type\":\"qwen2\",\"vocab_size\":300,\"hidden_size\":64,\"intermediate_size\":96,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"max_position_embeddings\":128,"
            + "\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\"}";

    /** The folder loads back with the config's shape, in bf16, holding the seeded weights rounded to bf16. */
    @Test
    void savesAFolderThatLoadsBackAsTheSeededWeights(@TempDir Path dir) throws Exception {
        Path cfgFile = dir.resolve("config.json");
        Files.writeString(cfgFile, QWEN2);
        Path out = dir.resolve("model");
        assertEquals(0, Main.run("init-model", "--from-config", dir.toString(), "--output-dir", out.toString(), "--seed", "5",
                "--torch-dtype", "bfloat16"));
        LoadedModel m = HfModel.load(out);
        assertEquals(64, m.config().hidden());
        assertEquals("bfloat16", new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText());
        Map<String, Tensor> want = ModelInit.random(ModelConfig.load(dir), 5);
        assertEquals(want.keySet(), m.tensors().keySet());
        for (var e : want.entrySet()) {
            float[] w = e.getValue().data, got = m.tensors().get(e.getKey()).data;
            for (int i = 0; i < w.length; i++) assertEquals(Bf16.widen(Bf16.round(w[i])), got[i], e.getKey() + "[" + i + "]");
        }
    }

    @Test
    void aBadConfigNamesTheFile(@TempDir Path dir) throws Exception {
        Path cfgFile = dir.resolve("c.json");
        Files.writeString(cfgFile, "{\"model_type\":\"qwen2\"}");
        var run = CliRuns.capturingStderr("init-model", "--from-config", cfgFile.toString(), "--output-dir", dir.resolve("m").toString());
        assertEquals(2, run.rc());
        assertTrue(run.err().contains(cfgFile.toString()), run.err());
    }
}
