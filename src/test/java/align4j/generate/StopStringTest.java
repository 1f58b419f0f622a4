package align4j.generate;

import static org.junit.jupiter.api.Assertions.*;

import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop strings and the completion text, with a real (Llama 2) tokenizer and a tiny random model over its vocabulary. */
class StopStringTest {
    static Transformer model() {
        var cfg = TinyModels.config(TinyModels.oneLayerLlama(TinyModels.LLAMA2_VOCAB), "llama32k");
        return new Transformer(cfg, TinyModels.randomWeights(cfg, 8, 9, 0.3));
    }

    /** The first two consecutive ASCII letters of the text, from its middle on. */
    static int letterPair(String t) {
        for (int i = t.length() / 3; i + 1 < t.length(); i++) {
            if (isLetter(t.charAt(i)) && isLetter(t.charAt(i + 1))) return i;
        }
        return -1;
    }

    static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    @Test
    void stopStringCutsTheTextBeforeItAndEndsGeneration() throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama2");
        Transformer m = model();
        List<int[]> prompts = List.of(tok.encode("Once upon a time", true));
        SamplingParams p = SamplingParams.sampling(40, List.of());
        Generator g = new Generator(m, tok);
        Generation free = g.generate(prompts, p, 5).getFirst();
        String text = free.text();
        assertEquals(tok.decode(free.tokenIds(), true), text);
        int at = letterPair(text);
        assertTrue(at > 0, "no ASCII letter pair in " + text);
        String stop = text.substring(at, at + 2);
        Generation cut = g.generate(prompts, p.withStop(List.of("\u0000never", stop)), 5).getFirst();
        assertEquals(text.substring(0, text.indexOf(stop)), cut.text());
        assertEquals(Generation.FinishReason.STOP, cut.finishReason());
        assertTrue(cut.tokenIds().length < free.tokenIds().length);
        // the ids stop with the token that completed the stop string, a prefix of the free run's
        assertArrayEquals(Arrays.copyOf(free.tokenIds(), cut.tokenIds().length), cut.tokenIds());
        assertTrue(tok.decode(cut.tokenIds(), true).contains(stop));
        assertFalse(tok.decode(Arrays.copyOf(cut.tokenIds(), cut.tokenIds().length - 1), true).contains(stop));
    }

    @Test
    void stopIdIsKeptInTheIdsAndLeftOutOfTheText() throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama2");
        Transformer m = model();
        List<int[]> prompts = List.of(tok.encode("Hello", true));
        Generation free = new Generator(m, tok).generate(prompts, SamplingParams.greedy(12, List.of()), 0).getFirst();
        int stopId = free.tokenIds()[4];
        Generation stopped = new Generator(m, tok).generate(prompts, SamplingParams.greedy(12, List.of(stopId)), 0).getFirst();
        int[] ids = stopped.tokenIds();
        assertEquals(stopId, ids[ids.length - 1]);
        assertEquals(Generation.FinishReason.STOP, stopped.finishReason());
        assertEquals(tok.decode(Arrays.copyOf(ids, ids.length - 1), true), stopped.text());
    }

    @Test
    void stopStringsWithoutATokenizerAreRefused() throws Exception {
        Transformer m = GeneratorTest.model("gpt2", 1);
        var e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(m, List.of(new int[] {1}),
                SamplingParams.greedy(3, List.of()).withStop(List.of("x")), 0));
        assertTrue(e.getMessage().contains("tokenizer"));
    }
}
