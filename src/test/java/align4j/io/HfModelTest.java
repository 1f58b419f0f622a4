package align4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Uses the folders made by scripts/make_reference_models.py (src/test/resources/reference/models). */
class HfModelTest {
    @TempDir
    Path tmp;

    static Path model(String name) {
        try {
            return Path.of(HfModelTest.class.getResource("/reference/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path copyOf(Path src, Path dst) throws IOException {
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        return dst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_hub", "gpt2_transformer_prefix", "llama_gqa", "llama3_rope_scaling",
            "qwen2_tied_bf16", "mistral_sharded", "qwen3_tied_bf16", "qwen3_attention_bias"})
    void saveAfterLoadWritesTheSameTensorsNamesDtypesAndShards(String name) throws IOException {
        Path src = model(name), out = tmp.resolve(name);
        LoadedModel m = HfModel.load(src);
        HfModel.save(out, m.config(), m.tensors(), m.layout());

        LoadedModel again = HfModel.load(out);
        assertEquals(m.tensors().keySet(), again.tensors().keySet());
        for (String t : m.tensors().keySet()) {
            assertArrayEquals(m.tensors().get(t).shape, again.tensors().get(t).shape, t);
            assertArrayEquals(m.tensors().get(t).data, again.tensors().get(t).data, t); // bit-exact
        }
        assertEquals(m.layout(), again.layout());
        try (SafetensorsShards a = SafetensorsShards.open(src); SafetensorsShards b = SafetensorsShards.open(out)) {
            assertEquals(a.names().stream().sorted().toList(), b.names().stream().sorted().toList());
            assertEquals(a.isSharded(), b.isSharded());
            for (String t : a.names()) {
                assertEquals(a.info(t).dtype(), b.info(t).dtype(), t);
                assertArrayEquals(a.info(t).shape(), b.info(t).shape(), t);
                assertArrayEquals(a.read(t).data, b.read(t).data, t);
                assertEquals(a.fileOf(t), b.fileOf(t), t);
            }
        }
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(src.resolve("config.json").toFile()), json.readTree(out.resolve("config.json").toFile()));
        if (name.equals("mistral_sharded")) {
            JsonNode in = json.readTree(src.resolve(SafetensorsShards.INDEX_FILE).toFile());
            JsonNode written = json.readTree(out.resolve(SafetensorsShards.INDEX_FILE).toFile());
            assertEquals(in, written);
            assertFalse(Files.exists(out.resolve(SafetensorsShards.SINGLE_FILE)));
        }
    }

    @Test
    void gpt2Conv1dWeightsAreTransposedAndBuffersKeptAsExtras() throws IOException {
        LoadedModel m = HfModel.load(model("gpt2_hub"));
        int c = m.config().hidden();
        try (SafetensorsShards w = SafetensorsShards.open(model("gpt2_hub"))) {
            float[] cAttn = w.read("h.1.attn.c_attn.weight").data; // [C, 3C]
            Tensor qkv = m.tensors().get("layers.1.qkv.weight");   // [3C, C]
            assertArrayEquals(new int[] {3 * c, c}, qkv.shape);
            for (int r = 0; r < 3 * c; r++) {
                for (int k = 0; k < c; k++) assertEquals(cAttn[k * 3 * c + r], qkv.data[r * c + k]);
            }
            float[] cProj = w.read("h.0.mlp.c_proj.weight").data;  // [4C, C]
            Tensor down = m.tensors().get("layers.0.down.weight"); // [C, 4C]
            assertEquals(cProj[5 * c + 3], down.data[3 * 4 * c + 5]);
        }
        assertEquals("", m.layout().prefix());
        assertEquals(4, m.layout().extras().size());
        assertEquals(List.of(), m.layout().dropped());
        assertTrue(m.layout().extras().stream().anyMatch(e -> e.name().equals("h.1.attn.bias")
                && e.kind() == HfLayout.Kind.CAUSAL_MASK));
        assertFalse(m.tensors().containsKey("lm_head"));
        assertArrayEquals(new int[] {64, c}, m.tensors().get("pos_embed").shape);
    }

    @Test
    void transformerPrefixAndF16AreRecognised() throws IOException {
        LoadedModel m = HfModel.load(model("gpt2_transformer_prefix"));
        assertEquals("transformer.", m.layout().prefix());
        assertEquals(DType.F16, m.layout().dtype());
        assertEquals(DType.F16, m.layout().dtypeOf("transformer.h.0.ln_1.weight"));
    }

    @Test
    void llamaQkvStacksQThenKThenVAndUpStacksGateThenUp() throws IOException {
        Path dir = model("llama_gqa");
        LoadedModel m = HfModel.load(dir);
        ModelConfig c = m.config();
        int q = c.heads() * c.headDim(), kv = c.kvHeads() * c.headDim(), h = c.hidden(), i = c.intermediate();
        try (SafetensorsShards w = SafetensorsShards.open(dir)) {
            float[] qkv = m.tensors().get("layers.0.qkv.weight").data;
            assertArrayEquals(w.read("model.layers.0.self_attn.q_proj.weight").data, slice(qkv, 0, q * h));
            assertArrayEquals(w.read("model.layers.0.self_attn.k_proj.weight").data, slice(qkv, q * h, kv * h));
            assertArrayEquals(w.read("model.layers.0.self_attn.v_proj.weight").data, slice(qkv, (q + kv) * h, kv * h));
            float[] up = m.tensors().get("layers.1.up.weight").data;
            assertArrayEquals(w.read("model.layers.1.mlp.gate_proj.weight").data, slice(up, 0, i * h));
            assertArrayEquals(w.read("model.layers.1.mlp.up_proj.weight").data, slice(up, i * h, i * h));
            assertArrayEquals(w.read("lm_head.weight").data, m.tensors().get("lm_head").data);
        }
        assertEquals(c.qkvDim(), m.tensors().get("layers.0.qkv.weight").shape[0]);
        assertFalse(m.tensors().containsKey("layers.0.qkv.bias"));
    }

    @Test
    void qwen2TiedHasQkvBiasAndNoHead() throws IOException {
        LoadedModel m = HfModel.load(model("qwen2_tied_bf16"));
        assertEquals(DType.BF16, m.layout().dtype());
        assertArrayEquals(new int[] {m.config().qkvDim()}, m.tensors().get("layers.1.qkv.bias").shape);
        assertFalse(m.tensors().containsKey("lm_head"));
        assertFalse(m.tensors().containsKey("layers.0.out.bias"));
    }

    private static float[] slice(float[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    /** Rewrites a folder's model.safetensors with one tensor removed or replaced. */
    private Path edited(String name, String tensor, Tensor replacement) throws IOException {
        Path dir = copyOf(model(name), tmp.resolve("edited"));
        Map<String, Tensor> all = new LinkedHashMap<>();
        try (SafetensorsShards w = SafetensorsShards.open(dir)) {
            for (String t : w.names()) all.put(t, w.read(t));
        }
        all.remove(tensor);
        if (replacement != null) all.put(tensor, replacement);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), all, DType.F32);
        return dir;
    }

    @Test
    void aMissingTensorIsNamedWithItsFile() throws IOException {
        Path dir = edited("llama_gqa", "model.layers.1.mlp.up_proj.weight", null);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfModel.load(dir));
        assertTrue(e.getMessage().contains("'model.layers.1.mlp.up_proj.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aWrongShapeNamesTensorExpectedAndActual() throws IOException {
        Path dir = edited("llama_gqa", "model.layers.0.self_attn.k_proj.weight",
                new Tensor("k", new int[] {8, 32}, new float[256]));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfModel.load(dir));
        assertTrue(e.getMessage().contains("'model.layers.0.self_attn.k_proj.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("[8, 32]") && e.getMessage().contains("[16, 32]"), e.getMessage());
    }

    @Test
    void anIndexNamingAMissingShardIsReported() throws IOException {
        Path dir = copyOf(model("mistral_sharded"), tmp.resolve("broken"));
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfModel.load(dir));
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors")
                && e.getMessage().contains(SafetensorsShards.INDEX_FILE), e.getMessage());
    }

    @Test
    void aFolderWithoutWeightsSaysWhatIsMissing() throws IOException {
        Path dir = tmp.resolve("empty");
        Files.createDirectories(dir);
        Files.copy(model("llama_gqa").resolve("config.json"), dir.resolve("config.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfModel.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void newModelsGetConventionalNamesOneFileAndTheRequestedDtype() throws IOException {
        LoadedModel llama = HfModel.load(model("mistral_sharded"));
        Path out = tmp.resolve("new-llama");
        HfModel.save(out, llama.config(), llama.tensors(), HfLayout.forNew(llama.config(), DType.BF16));
        assertTrue(Files.exists(out.resolve(SafetensorsShards.SINGLE_FILE)));
        assertFalse(Files.exists(out.resolve(SafetensorsShards.INDEX_FILE)));
        try (SafetensorsShards w = SafetensorsShards.open(out)) {
            assertEquals(DType.BF16, w.info("model.layers.1.self_attn.v_proj.weight").dtype());
            float[] orig = llama.tensors().get("final_norm.weight").data;
            float[] saved = w.read("model.norm.weight").data;
            for (int i = 0; i < orig.length; i++) assertEquals(DType.bf16ToFloat(DType.floatToBf16(orig[i])), saved[i]);
        }
        assertEquals("bfloat16", new ObjectMapper().readTree(out.resolve("config.json").toFile()).path("torch_dtype").asText());

        LoadedModel gpt2 = HfModel.load(model("gpt2_transformer_prefix"));
        Path out2 = tmp.resolve("new-gpt2");
        HfModel.save(out2, gpt2.config(), gpt2.tensors(), HfLayout.forNew(gpt2.config(), DType.F32));
        try (SafetensorsShards w = SafetensorsShards.open(out2)) {
            assertTrue(w.contains("h.0.attn.c_attn.weight") && w.contains("wte.weight"));
            assertEquals(DType.F32, w.info("ln_f.bias").dtype());
        }
        assertArrayEquals(gpt2.tensors().get("layers.1.up.weight").data,
                HfModel.load(out2).tensors().get("layers.1.up.weight").data);
    }

    @Test
    void savingRefusesUnknownOrMisshapenTensors() throws IOException {
        LoadedModel m = HfModel.load(model("llama_gqa"));
        Map<String, Tensor> extra = new LinkedHashMap<>(m.tensors());
        extra.put("value_head", new Tensor("value_head", 1));
        assertThrows(IllegalArgumentException.class, () -> HfModel.save(tmp.resolve("a"), m.config(), extra, m.layout()));
        Map<String, Tensor> missing = new LinkedHashMap<>(m.tensors());
        missing.remove("layers.0.down.weight");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfModel.save(tmp.resolve("b"), m.config(), missing, m.layout()));
        assertTrue(e.getMessage().contains("layers.0.down.weight"));
    }

    @Test
    void copyTokenizerFilesCopiesOnlyThoseThatExist() throws IOException {
        Path src = tmp.resolve("src"), dst = tmp.resolve("dst");
        Files.createDirectories(src);
        Files.writeString(src.resolve("tokenizer.json"), "{}");
        Files.writeString(src.resolve("merges.txt"), "#version: 0.2\n");
        Files.writeString(src.resolve("unrelated.txt"), "x");
        List<String> copied = new ArrayList<>(HfModel.copyTokenizerFiles(src, dst));
        assertEquals(List.of("tokenizer.json", "merges.txt"), copied);
        assertEquals("{}", Files.readString(dst.resolve("tokenizer.json")));
        assertFalse(Files.exists(dst.resolve("unrelated.txt")));
    }
}
