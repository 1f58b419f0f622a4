package align4j.text;

import java.util.Arrays;

/**
 * The text each token adds to a decoded sequence, for showing values per token. Byte-level BPE splits a
 * multi-byte character over several tokens, so decoding tokens one at a time would show replacement
 * characters; instead piece t is decode(ids[0..t]) minus decode(ids[0..t−1]) whenever the longer decoding
 * extends the shorter one, and the token's own decoding otherwise. The pieces then concatenate to the
 * decoded sequence (a token finishing a character carries it; the ones before it show nothing).
 */
public final class TokenPieces {
    private TokenPieces() {}

    /** With {@code tokenizer} null, each piece is the id in angle brackets: "⟨17⟩". */
    public static String[] of(Tokenizer tokenizer, int[] ids) {
        String[] out = new String[ids.length];
        if (tokenizer == null) {
            for (int i = 0; i < ids.length; i++) out[i] = "⟨" + ids[i] + "⟩";
            return out;
        }
        String prev = "";
        for (int i = 0; i < ids.length; i++) {
            String cur = tokenizer.decode(Arrays.copyOf(ids, i + 1), false);
            // U+FFFD at the end: bytes of an incomplete UTF-8 sequence that a later token completes (one U+FFFD
            // per byte with SentencePiece byte fallback). The last token takes everything that is left.
            int end = cur.length();
            while (i < ids.length - 1 && end > 0 && cur.charAt(end - 1) == '\uFFFD') end--;
            String stable = cur.substring(0, end);
            if (stable.startsWith(prev)) {
                out[i] = stable.substring(prev.length());
                prev = stable;
            } else {
                out[i] = tokenizer.decode(new int[] {ids[i]}, false);
                prev = stable;
            }
        }
        return out;
    }
}
