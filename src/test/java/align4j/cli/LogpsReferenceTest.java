package align4j.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code align4j logps} on tiny Hugging Face-format models against an independent PyTorch
 * re-implementation of HF's GPT-2 and Llama/Mistral/Qwen2/Qwen3 forward passes in float64
 * (scripts/make_reference_models.py wrote the models and the expected numbers).
 */
class LogpsReferenceTest {
    static final Path REF = Path.of("src/test/resources/reference");
    static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_hub", "gpt2_transformer_prefix", "llama_gqa", "llama3_rope_scaling",
            "qwen2_tied_bf16", "mistral_sharded", "qwen3_tied_bf16", "qwen3_attention_bias"})
    void summedLogpsMatchThePyTorchReference(String name, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.jsonl");
        int rc = Main.run("logps", "--model", REF.resolve("models/" + name).toString(),
                "--data", REF.resolve(name + ".jsonl").toString(), "--out", out.toString());
        assertEquals(0, rc);
        List<String> expected = Files.readAllLines(REF.resolve(name + ".expected.jsonl"));
        List<String> actual = Files.readAllLines(out);
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = JSON.readTree(expected.get(i)), a = JSON.readTree(actual.get(i));
            for (String f : new String[] {"prompt_input_ids", "chosen_input_ids", "rejected_input_ids"}) {
                assertEquals(e.get(f), a.get(f), name + " line " + (i + 1) + ": input field " + f + " must be kept");
            }
            for (String f : new String[] {"chosen_logps", "rejected_logps"}) {
                double want = e.get(f).asDouble(), got = a.get(f).asDouble();
                assertEquals(want, got, 1e-4, name + " line " + (i + 1) + " " + f);
            }
        }
    }
}
