package align4j.data;

import static org.junit.jupiter.api.Assertions.*;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TRL's SFT formats with a real tokenizer (Qwen3's, with its chat template): which tokens carry the loss. */
class SequenceDatasetTest {
    static String lossText(Tokenizer tok, SequenceExample e) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < e.ids().length) {
            if (!e.lossMask()[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < e.ids().length && e.lossMask()[j]) j++;
            sb.append('[').append(tok.decode(Arrays.copyOfRange(e.ids(), i, j), false)).append(']');
            i = j;
        }
        return sb.toString();
    }

    @Test
    void textPromptCompletionAndMessagesGetTrlsLossTokens(@TempDir Path tmp) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("qwen3");
        Path f = tmp.resolve("d.jsonl");
        Files.writeString(f, """
                {"text": "The sky is blue."}
                {"prompt": "2 + 2 =", "completion": " 4"}
                {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "See you."}]}
                """);
        List<SequenceExample> all = SequenceDataset.load(f, ColumnMapping.IDENTITY, tok, new SequenceDataset.LossOptions(true, false), 0);
        // text: every token, EOS appended (Qwen3's eos is <|im_end|>)
        assertEquals("[The sky is blue.<|im_end|>]", lossText(tok, all.get(0)));
        // prompt/completion: the completion and its EOS only
        assertEquals("[ 4<|im_end|>]", lossText(tok, all.get(1)));
        assertEquals(tok.encode("2 + 2 =", true).length, all.get(1).promptLength());
        List<SequenceExample> full = SequenceDataset.load(f, ColumnMapping.IDENTITY, tok, new SequenceDataset.LossOptions(false, false), 0);
        assertEquals(full.get(1).ids().length, full.get(1).lossTokens() + 1); // all but the first token
        assertEquals(full.get(2).ids().length, full.get(2).lossTokens() + 1);
        // max_length keeps the first tokens
        List<SequenceExample> cut = SequenceDataset.load(f, ColumnMapping.IDENTITY, tok, new SequenceDataset.LossOptions(true, false), 3);
        assertEquals(3, cut.get(2).ids().length);
        assertArrayEquals(Arrays.copyOf(full.get(2).ids(), 3), cut.get(2).ids());
    }

    static final String CHAT = """
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "See you."}]}
            """;

    @Test
    void assistantOnlyLossMarksEachAssistantTurnAndNothingOfTheUsers(@TempDir Path tmp) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama3");
        Path f = tmp.resolve("chat.jsonl");
        Files.writeString(f, CHAT);
        SequenceExample e = SequenceDataset.load(f, ColumnMapping.IDENTITY, tok, new SequenceDataset.LossOptions(true, true), 0).get(0);
        // each turn: its content and end-of-turn token, as the template renders it after the generation prompt
        assertEquals("[Hello!<|eot_id|>][See you.<|eot_id|>]", lossText(tok, e));
    }

    @Test
    void assistantOnlyLossWithQwen3sThinkingTemplate(@TempDir Path tmp) throws Exception {
        // Qwen3's template renders an empty <think> block in the last assistant turn only: the loss covers it there
        Tokenizer tok = TextFixtures.tokenizer("qwen3");
        Path f = tmp.resolve("chat.jsonl");
        Files.writeString(f, CHAT);
        SequenceExample e = SequenceDataset.load(f, ColumnMapping.IDENTITY, tok, new SequenceDataset.LossOptions(true, true), 0).get(0);
        assertEquals("[Hello!<|im_end|>][<think>\n\n</think>\n\nSee you.<|im_end|>]", lossText(tok, e));
    }

    @Test
    void anAssistantTurnTheTemplateDoesNotRenderIsAClearError(@TempDir Path tmp) throws Exception {
        // a template that drops assistant content (here: a custom one) leaves nothing to mark
        Path dir = tmp.resolve("tok");
        Files.createDirectories(dir);
        Path src = TextFixtures.tokenizerDir("llama3");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(src.resolve("tokenizer_config.json").toFile());
        cfg.put("chat_template", "{% for m in messages %}{% if m['role'] == 'user' %}{{ m['content'] }}{% endif %}{% endfor %}");
        Files.writeString(dir.resolve("tokenizer_config.json"), cfg.toString());
        Path f = tmp.resolve("chat.jsonl");
        Files.writeString(f, CHAT);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            DatasetException e = assertThrows(DatasetException.class, () -> SequenceDataset.load(f, ColumnMapping.IDENTITY, tok,
                    new SequenceDataset.LossOptions(true, true), 0));
            assertTrue(e.getMessage().contains("chat.jsonl, line 1") && e.getMessage().contains("--assistant-only-loss"), e.getMessage());
        }
    }
}
