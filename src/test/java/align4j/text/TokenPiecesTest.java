package align4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TokenPiecesTest {
    @Test
    void piecesConcatenateToTheDecodedTextEvenWhenACharacterSpansTokens() {
        for (String name : new String[] {"llama2", "qwen3"}) {
            Tokenizer tok = TextFixtures.tokenizer(name);
            String text = "Hi <b>there</b> — 日本語 🤖 naïve";
            int[] ids = tok.encode(text, false);
            String[] pieces = TokenPieces.of(tok, ids);
            assertEquals(ids.length, pieces.length);
            assertEquals(tok.decode(ids, false), String.join("", pieces), name);
            for (String p : pieces) assertEquals(-1, p.indexOf('\uFFFD'), name + ": no replacement characters");
        }
    }

    @Test
    void withoutATokenizerPiecesAreTheIds() {
        assertArrayEquals(new String[] {"⟨3⟩", "⟨17⟩"}, TokenPieces.of(null, new int[] {3, 17}));
    }
}
