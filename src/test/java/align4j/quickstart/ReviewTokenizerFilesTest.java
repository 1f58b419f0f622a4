package align4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.text.Tokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The written tokenizer.json loads in Hugging Face's tokenizers (through align4j.text.Tokenizer) and agrees
 * with the task's own word ids. The expected ids were printed by Python's `tokenizers` 0.23 and by
 * `transformers` 5.18's AutoTokenizer from the same folder (scripts/quickstart_tokenizer_ids.py).
 */
class ReviewTokenizerFilesTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsThroughHuggingFaceTokenizers() throws Exception {
        ReviewTokenizerFiles.write(dir);
        try (Tokenizer t = Tokenizer.load(dir)) {
            assertEquals(ReviewTask.vocab().size(), t.vocabSize());
            assertEquals(0, t.eosId());
            assertEquals(0, t.bosId());
            assertArrayEquals(new int[] {2, 3, 4, 28, 33, 27, 9, 53, 25, 0}, t.encode("the film was very good. i loved it<|endoftext|>", false));
            assertArrayEquals(new int[] {26, 34, 24, 23, 37}, t.encode("not great , but fun", false));
            assertArrayEquals(new int[] {1, 33}, t.encode("zzz good", false));
            for (int i = 0; i < 50; i++) {
                int[] c = ReviewTask.sample(new java.util.SplittableRandom(i)).completion();
                String text = ReviewTask.decode(c);
                assertArrayEquals(c, t.encode(text, false), text);
                assertEquals(text, t.decode(c, false));
            }
            assertArrayEquals(ReviewTask.encode("the film was very good . i loved it <|endoftext|>"),
                    t.encode("the film was very good. i loved it<|endoftext|>", false));
        }
    }
}
