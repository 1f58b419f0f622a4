package align4j.data;

import static org.junit.jupiter.api.Assertions.*;

import align4j.InputException;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptDatasetTest {
    @TempDir
    Path dir;

    @Test
    void readsTokenIdsTextAndConversationsAsTrainingTokenizesPrompts() throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("qwen3");
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"prompt_input_ids\": [5, 6, 7]}\n{\"prompt\": \"Hello there\"}\n"
                + "{\"prompt\": [{\"role\": \"user\", \"content\": \"Hi\"}]}\n");
        int[][] p = PromptDataset.load(f, tok, tok.vocabSize());
        assertArrayEquals(new int[] {5, 6, 7}, p[0]);
        assertArrayEquals(tok.encode("Hello there", true), p[1]);
        String rendered = tok.applyChatTemplate(List.of(Map.of("role", "user", "content", "Hi")), true);
        assertArrayEquals(tok.encode(rendered, false), p[2]);
        assertTrue(rendered.contains("Hi") && p[2].length > 3);
    }

    @Test
    void badRecordsNameTheFileLineAndField() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"prompt_input_ids\": [1]}\n{\"prompt_input_ids\": [99]}\n");
        InputException e = assertThrows(InputException.class, () -> PromptDataset.load(f, null, 16));
        assertTrue(e.getMessage().contains("bad.jsonl, line 2") && e.getMessage().contains("99"), e.getMessage());
        Files.writeString(f, "{\"question\": \"x\"}\n");
        e = assertThrows(InputException.class, () -> PromptDataset.load(f, null, 16));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'prompt'"), e.getMessage());
        Files.writeString(f, "{\"prompt\": \"text\"}\n");
        e = assertThrows(InputException.class, () -> PromptDataset.load(f, null, 16));
        assertTrue(e.getMessage().contains("no tokenizer"), e.getMessage());
    }
}
