package align4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** TRL-HEAD tokenization: joint prompt/completion, EOS for text only, one BOS, boundary mismatches counted. */
class PreferenceTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PreferencePair text(String prompt, String chosen, String rejected) {
        return new PreferencePair("t.jsonl:1", TextNode.valueOf(prompt), TextNode.valueOf(chosen), TextNode.valueOf(rejected),
                false, JSON.createObjectNode());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void textCompletionsGetEosAndPromptGetsOneBos() {
        Tokenizer llama2 = TextFixtures.tokenizer("llama2");
        PreferenceTokenizer pt = new PreferenceTokenizer(llama2);
        PreferenceExample e = pt.tokenize(text("The sky is", " blue.", " green."));
        assertEquals(1, e.prompt()[0]);
        assertArrayEquals(llama2.encode("The sky is", true), e.prompt());
        assertArrayEquals(llama2.encode("The sky is blue.</s>", true), concat(e.prompt(), e.chosen()));
        assertEquals(2, e.chosen()[e.chosen().length - 1]);
        assertEquals(0, pt.mismatches());
        PreferenceExample withBos = pt.tokenize(text("<s>The sky is", " blue.", " green."));
        assertArrayEquals(e.prompt(), withBos.prompt(), "the BOS string in the text does not make a second BOS");
    }

    @Test
    void aCompletionEndingInEosGetsNoSecondEos() {
        PreferenceExample e = new PreferenceTokenizer(TextFixtures.tokenizer("llama2")).tokenize(text("Q", " a</s>", " b"));
        assertEquals(2, e.chosen()[e.chosen().length - 1]);
        assertEquals(1, Arrays.stream(e.chosen()).filter(id -> id == 2).count());
    }

    @Test
    void boundaryMergeIsCountedAndTheCompletionTokenizedAlone() {
        Tokenizer llama3 = TextFixtures.tokenizer("llama3");
        // "abc" + "def" encodes jointly as one word, so the joint ids do not start with the prompt's ids.
        PreferenceTokenizer pt = new PreferenceTokenizer(llama3);
        PreferenceExample e = pt.tokenize(text("abc", "def", " xyz"));
        assertEquals(1, pt.mismatches());
        assertArrayEquals(llama3.encode("abc", true), e.prompt());
        assertArrayEquals(llama3.encode("def<|end_of_text|>", false), e.chosen());
        assertArrayEquals(concat(e.prompt(), e.rejected()), llama3.encode("abc xyz<|end_of_text|>", true));
    }

    @Test
    void conversationsUseTheTemplateWithTheGenerationPromptAndNoExtraEos() throws Exception {
        Tokenizer qwen = TextFixtures.tokenizer("qwen3");
        JsonNode prompt = JSON.readTree("[{\"role\": \"user\", \"content\": \"Sky color?\"}]");
        JsonNode chosen = JSON.readTree("[{\"role\": \"assistant\", \"content\": \"Blue.\"}]");
        JsonNode rejected = JSON.readTree("[{\"role\": \"assistant\", \"content\": \"Green.\"}]");
        PreferenceTokenizer pt = new PreferenceTokenizer(qwen);
        PreferenceExample e = pt.tokenize(new PreferencePair("c.jsonl:1", prompt, chosen, rejected, true, JSON.createObjectNode()));
        assertEquals("<|im_start|>user\nSky color?<|im_end|>\n<|im_start|>assistant\n", qwen.decode(e.prompt(), false));
        assertEquals("<think>\n\n</think>\n\nBlue.<|im_end|>\n", qwen.decode(e.chosen(), false));
        assertEquals(0, pt.mismatches());
    }

    @Test
    void keepStartCutsCompletionsAndDropsPromptsThatFillMaxLength() {
        PreferenceExample e = new PreferenceExample("s:1", new int[] {1, 2, 3}, new int[] {4, 5, 6, 7}, new int[] {8}, null);
        PreferenceExample t = new Truncation(5, 0, Truncation.Mode.KEEP_START).apply(e);
        assertArrayEquals(new int[] {1, 2, 3}, t.prompt());
        assertArrayEquals(new int[] {4, 5}, t.chosen());
        assertArrayEquals(new int[] {8}, t.rejected());
        assertNull(new Truncation(3, 0, Truncation.Mode.KEEP_START).apply(e));
    }

    @Test
    void keepEndCutsThePromptStartAndMaxPromptLengthFollowsTheMode() {
        PreferenceExample e = new PreferenceExample("s:1", new int[] {1, 2, 3}, new int[] {4, 5, 6}, new int[] {8}, null);
        PreferenceExample t = new Truncation(5, 0, Truncation.Mode.KEEP_END).apply(e);
        assertArrayEquals(new int[] {2, 3}, t.prompt());
        assertArrayEquals(new int[] {4, 5, 6}, t.chosen());
        assertNull(new Truncation(3, 0, Truncation.Mode.KEEP_END).apply(e));
        assertArrayEquals(new int[] {1, 2}, new Truncation(0, 2, Truncation.Mode.KEEP_START).apply(e).prompt());
        assertArrayEquals(new int[] {2, 3}, new Truncation(0, 2, Truncation.Mode.KEEP_END).apply(e).prompt());
    }

    @Test
    void datasetReportCountsDroppedAndTruncatedExamples() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(
                java.nio.file.Files.createDirectories(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))), "ds");
        java.nio.file.Path f = dir.resolve("ids.jsonl");
        java.nio.file.Files.writeString(f, """
                {"prompt_input_ids": [1, 2], "chosen_input_ids": [3, 4, 5], "rejected_input_ids": [6]}
                {"prompt_input_ids": [1, 2, 3, 4], "chosen_input_ids": [5], "rejected_input_ids": [6]}
                {"prompt_input_ids": [1], "chosen_input_ids": [2], "rejected_input_ids": [3]}
                """);
        PreferenceDataset d = PreferenceDataset.load(f, ColumnMapping.IDENTITY, Pairing.ALL_PAIRS, null,
                new Truncation(4, 0, Truncation.Mode.KEEP_START));
        assertEquals(new PreferenceDataset.Report(3, 3, 0, 1, 1), d.report());
        assertArrayEquals(new int[] {3, 4}, d.examples().getFirst().chosen());
        assertArrayEquals(new int[] {1}, d.examples().get(1).prompt(), "pre-tokenized ids are used as given");
    }
}
