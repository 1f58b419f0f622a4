package align4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Qwen3's template with enable_thinking unset, true and false: a conversational preference pair splits into
 * prompt and completions where TRL's maybe_apply_chat_template splits it, and an SFT conversation's assistant
 * turns are the loss tokens ("qwen3_boundaries" of chat_template_expected.json, scripts/chat_template_reference.py).
 */
class Qwen3ChatBoundariesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        JsonNode root = JSON.readTree(TextFixtures.TEXT.resolve("chat_template_expected.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root.get("qwen3_boundaries")) {
            out.add(Arguments.of(c.get("kind").asText() + " " + c.get("name").asText(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void boundariesAndAssistantTurnsAreTransformers(String label, JsonNode c, @TempDir Path dir) throws IOException {
        try (Tokenizer tok = Tokenizer.load(TextFixtures.tokenizerDir("qwen3"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = JSON.convertValue(c.get("kwargs"), Map.class);
            tok.setChatTemplateKwargs(kwargs);
            if (c.get("kind").asText().equals("pair")) {
                JsonNode p = c.get("pair");
                PreferenceExample e = new PreferenceTokenizer(tok).tokenize(new PreferencePair("case", p.get("prompt"),
                        p.get("chosen"), p.get("rejected"), true, (ObjectNode) p));
                assertArrayEquals(tok.encode(c.get("prompt").asText(), false), e.prompt(), "prompt ids");
                assertEquals(c.get("chosen").asText(), tok.decode(e.chosen(), false));
                assertEquals(c.get("rejected").asText(), tok.decode(e.rejected(), false));
                assertArrayEquals(tok.encode(c.get("chosen").asText(), false), e.chosen(), "chosen ids");
                return;
            }
            Path file = dir.resolve("sft.jsonl");
            Files.writeString(file, JSON.writeValueAsString(Map.of("messages", c.get("messages"))) + "\n");
            SequenceExample e = SequenceDataset.load(file, ColumnMapping.IDENTITY, tok,
                    new SequenceDataset.LossOptions(true, true), 0).getFirst();
            assertArrayEquals(tok.encode(c.get("text").asText(), false), e.ids());
            List<String> turns = new ArrayList<>();
            for (int i = 0; i < e.ids().length; i++) {
                int start = i;
                while (i < e.ids().length && e.lossMask()[i]) i++;
                if (i > start) turns.add(tok.decode(java.util.Arrays.copyOfRange(e.ids(), start, i), false));
            }
            assertEquals(JSON.convertValue(c.get("assistant_turns"), List.class), turns);
        }
    }

    @Test
    void aToolsColumnIsRefusedNotRenderedWithoutIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tools.jsonl");
        Files.writeString(file, "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather?\"}, {\"role\": \"assistant\","
                + " \"content\": \"Sunny.\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}]}\n");
        DatasetException e = assertThrows(DatasetException.class, () -> SequenceDataset.load(file, ColumnMapping.IDENTITY,
                TextFixtures.tokenizer("qwen3"), new SequenceDataset.LossOptions(true, false), 0));
        assertTrue(e.getMessage().contains("tools"), e.getMessage());
    }
}
