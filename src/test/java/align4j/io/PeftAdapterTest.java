package align4j.io;

import static org.junit.jupiter.api.Assertions.*;

import align4j.model.Lora;
import align4j.model.LoraConfig;
import align4j.model.ModelFormatException;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PEFT folders against scripts/peft_lora_reference.py, an independent transcription of PEFT's naming,
 * shapes (Conv1D included), scaling and merge (PEFT itself is not installed here): align4j reads the
 * folders it wrote and reproduces its float64 log-probs, and writes the same names, shapes and config.
 */
class PeftAdapterTest {
    static final Path REF = Path.of("src/test/resources/reference");
    static final ObjectMapper JSON = new ObjectMapper();

    /** (chosen, rejected) log-probs of every record of the base model's reference data. */
    static double[][] expected(String adapterCase) throws Exception {
        List<String> lines = Files.readAllLines(REF.resolve("peft/" + adapterCase + ".expected.jsonl"));
        double[][] e = new double[lines.size()][];
        for (int i = 0; i < e.length; i++) {
            JsonNode j = JSON.readTree(lines.get(i));
            e[i] = new double[] {j.get("chosen_logps").asDouble(), j.get("rejected_logps").asDouble()};
        }
        return e;
    }

    static int[][][] records(String base) throws Exception {
        List<String> lines = Files.readAllLines(REF.resolve(base + ".jsonl"));
        int[][][] r = new int[3][lines.size()][];
        String[] f = {"prompt_input_ids", "chosen_input_ids", "rejected_input_ids"};
        for (int i = 0; i < lines.size(); i++) {
            JsonNode j = JSON.readTree(lines.get(i));
            for (int k = 0; k < 3; k++) {
                int[] ids = new int[j.get(f[k]).size()];
                for (int q = 0; q < ids.length; q++) ids[q] = j.get(f[k]).get(q).asInt();
                r[k][i] = ids;
            }
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({"gpt2_c_attn_c_proj,gpt2_hub", "llama_all_linear,llama_gqa", "qwen2_kv_gate_down,qwen2_tied_bf16"})
    void adaptersWrittenByThePeftTranscriptionGiveItsLogps(String adapterCase, String base) throws Exception {
        LoadedModel lm = HfModel.load(REF.resolve("models/" + base));
        Transformer m = new Transformer(lm.config(), lm.tensors());
        int[][][] r = records(base);
        PairLogps.Result plain = PairLogps.compute(m, r[0], r[1], r[2], 4, 4096, null);
        m.setLora(PeftAdapter.read(REF.resolve("peft/" + adapterCase), lm.config(), 0));
        PairLogps.Result got = PairLogps.compute(m, r[0], r[1], r[2], 4, 4096, null);
        double[][] want = expected(adapterCase);
        double moved = 0;
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i][0], got.chosen()[i], 1e-4, adapterCase + " record " + i + " chosen");
            assertEquals(want[i][1], got.rejected()[i], 1e-4, adapterCase + " record " + i + " rejected");
            moved += Math.abs(got.chosen()[i] - plain.chosen()[i]);
        }
        assertTrue(moved > 0.1, "the adapters change the log-probs (" + moved + ")");
    }

    /** name → shape of every tensor in a safetensors file. */
    static Map<String, List<Integer>> header(Path file) throws Exception {
        Map<String, List<Integer>> m = new TreeMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            for (SafetensorsReader.TensorInfo t : r.tensors().values()) {
                List<Integer> s = new ArrayList<>();
                for (int d : t.intShape()) s.add(d);
                m.put(t.name(), s);
            }
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({"gpt2_c_attn_c_proj,gpt2_hub,4,8,c_attn;c_proj", "llama_all_linear,llama_gqa,3,5,all-linear",
            "qwen2_kv_gate_down,qwen2_tied_bf16,2,16,k_proj;v_proj;gate_proj;down_proj"})
    void savedFolderHasPeftsNamesShapesAndConfig(String adapterCase, String base, int r, int alpha, String targets,
                                                 @TempDir Path out) throws Exception {
        LoadedModel lm = HfModel.load(REF.resolve("models/" + base));
        Lora lora = Lora.create(lm.config(), new LoraConfig(r, alpha, 0, List.of(targets.split(";"))), 9);
        PeftAdapter.save(out, lora, base);
        Path ref = REF.resolve("peft/" + adapterCase);
        assertEquals(header(ref.resolve(PeftAdapter.WEIGHTS_FILE)), header(out.resolve(PeftAdapter.WEIGHTS_FILE)));
        JsonNode want = JSON.readTree(ref.resolve(PeftAdapter.CONFIG_FILE).toFile());
        JsonNode got = JSON.readTree(out.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals(new TreeSet<>(iter(want.fieldNames())), new TreeSet<>(iter(got.fieldNames())));
        for (String f : iter(want.fieldNames())) {
            if (f.equals("target_modules")) {
                assertEquals(new TreeSet<>(texts(want.get(f))), new TreeSet<>(texts(got.get(f))));
            } else {
                assertEquals(want.get(f).toString(), got.get(f).toString(), f);
            }
        }
        // and back: the same values, trainable
        Lora back = PeftAdapter.read(out, lm.config(), 0);
        for (Map.Entry<String, Tensor> e : lora.tensors().entrySet()) {
            Tensor b = back.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().data, b.data, e.getKey());
            assertNotNull(b.grad);
        }
    }

    private static List<String> iter(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    private static List<String> texts(JsonNode a) {
        List<String> l = new ArrayList<>();
        a.forEach(n -> l.add(n.asText()));
        return l;
    }

    @Test
    void aFreshAdapterIsPeftsInitialisation() throws Exception {
        LoadedModel lm = HfModel.load(REF.resolve("models/llama_gqa"));
        Lora lora = Lora.create(lm.config(), new LoraConfig(8, 16, 0, null), 1);
        assertEquals(List.of("q_proj", "v_proj"), Lora.resolvedTargets(lm.config(), lora.config));
        for (Lora.Adapter a : lora.adapters()) {
            double bound = 1 / Math.sqrt(a.module.in()), max = 0, sum = 0;
            for (float x : a.a.data) {
                max = Math.max(max, Math.abs(x));
                sum += x * x;
            }
            assertTrue(max <= bound && max > 0.9 * bound, "U(-1/sqrt(in), 1/sqrt(in))");
            assertEquals(bound * bound / 3, sum / a.a.data.length, 0.25 * bound * bound / 3, "variance of U(-b, b)");
            for (float x : a.b.data) assertEquals(0f, x);
        }
    }

    @Test
    void unsupportedConfigFieldsAreNamed(@TempDir Path dir) throws Exception {
        Path ref = REF.resolve("peft/llama_all_linear");
        Files.copy(ref.resolve(PeftAdapter.WEIGHTS_FILE), dir.resolve(PeftAdapter.WEIGHTS_FILE));
        String cfg = Files.readString(ref.resolve(PeftAdapter.CONFIG_FILE));
        Files.writeString(dir.resolve(PeftAdapter.CONFIG_FILE), cfg.replace("\"use_dora\": false", "\"use_dora\": true"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PeftAdapter.load(dir));
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("use_dora"), e.getMessage());
        Files.writeString(dir.resolve(PeftAdapter.CONFIG_FILE), cfg.replace("\"r\": 3", "\"r\": 4"));
        LoadedModel lm = HfModel.load(REF.resolve("models/llama_gqa"));
        e = assertThrows(ModelFormatException.class, () -> PeftAdapter.read(dir, lm.config(), 0));
        assertTrue(e.getMessage().contains("adapter_model.safetensors") && e.getMessage().contains("shape"), e.getMessage());
    }
}
