package align4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code align4j tokenize}: input_ids added to each record, other fields kept, special tokens on request. */
class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eachRecordGetsInputIdsAndKeepsItsFields() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"text\": \"Hello world\", \"id\": 7}\n{\"text\": \"  日本語 🤖\\n\\n\"}\n");
        Path out = dir.resolve("out.jsonl");
        Path tokDir = TextFixtures.tokenizerDir("llama2");
        assertEquals(0, Main.run("tokenize", "--tokenizer", tokDir.toString(), "--data", in.toString(), "--out",
                out.toString(), "--add-special-tokens"));
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        Tokenizer tok = TextFixtures.tokenizer("llama2");
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(7, first.get("id").asInt());
        assertEquals(JSON.valueToTree(tok.encode("Hello world", true)), first.get("input_ids"));
        assertEquals(1, first.get("input_ids").get(0).asInt());
        assertEquals(JSON.valueToTree(tok.encode("  日本語 🤖\n\n", true)), JSON.readTree(lines.get(1)).get("input_ids"));

        assertEquals(0, Main.run("tokenize", "--tokenizer", tokDir.toString(), "--data", in.toString(), "--out", out.toString()));
        assertEquals(JSON.valueToTree(tok.encode("Hello world", false)), JSON.readTree(Files.readAllLines(out).get(0)).get("input_ids"));
    }

    @Test
    void aRecordWithoutTextIsAUserErrorExitingWith2() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"text\": \"ok\"}\n{\"txt\": \"typo\"}\n");
        assertEquals(2, Main.run("tokenize", "--tokenizer", TextFixtures.tokenizerDir("qwen3").toString(), "--data",
                in.toString(), "--out", dir.resolve("o.jsonl").toString()));
    }
}
