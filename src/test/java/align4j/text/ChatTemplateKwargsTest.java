package align4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.InputException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateKwargsTest {
    @Test
    void valuesAreReadAsPythonWritesThem() {
        Map<String, Object> want = new HashMap<>();
        want.put("enable_thinking", false);
        want.put("flag", true);
        want.put("n", 3L);
        want.put("x", 0.5);
        want.put("nothing", null);
        want.put("name", "Ada");
        assertEquals(want, ChatTemplateKwargs.parse("enable_thinking=false, flag=True,n=3,x=0.5,nothing=None,name=Ada"));
        assertEquals(Map.of(), ChatTemplateKwargs.parse(null));
        assertThrows(InputException.class, () -> ChatTemplateKwargs.parse("enable_thinking"));
        assertThrows(InputException.class, () -> ChatTemplateKwargs.parse("messages=x"));
    }

    @Test
    void enableThinkingFalseClosesTheThinkBlockOfQwen3sGenerationPrompt() {
        try (Tokenizer tok = Tokenizer.load(TextFixtures.tokenizerDir("qwen3"))) {
            List<Map<String, String>> messages = List.of(Map.of("role", "user", "content", "Hi"));
            assertTrue(tok.applyChatTemplate(messages, true).endsWith("<|im_start|>assistant\n"), "transformers' default: thinking on");
            tok.setChatTemplateKwargs(ChatTemplateKwargs.parse("enable_thinking=false"));
            assertTrue(tok.applyChatTemplate(messages, true).endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
        }
    }
}
