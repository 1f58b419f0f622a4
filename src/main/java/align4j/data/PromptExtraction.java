package align4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * TRL's {@code extract_prompt} (trl/data_utils.py) for implicit-prompt data: the prompt is the longest common
 * prefix of chosen and rejected, in characters for strings and in whole messages for conversations. As in
 * TRL, when the first difference follows a space, that space goes to the completions; and when one is a prefix
 * of the other, the loop ends without a break, so the prefix stops one element short (TRL's index semantics).
 */
final class PromptExtraction {
    private PromptExtraction() {
    }

    /** {prompt, chosen, rejected} with the shared prefix moved into the prompt. */
    static JsonNode[] extract(JsonNode chosen, JsonNode rejected) {
        if (chosen.isTextual()) {
            String c = chosen.asText();
            String r = rejected.asText();
            int idx = prefixIndex(c.length(), r.length(), i -> c.charAt(i) == r.charAt(i), i -> c.charAt(i) == ' ');
            return new JsonNode[] {TextNode.valueOf(c.substring(0, idx)), TextNode.valueOf(c.substring(idx)),
                    TextNode.valueOf(r.substring(idx))};
        }
        int idx = prefixIndex(chosen.size(), rejected.size(), i -> chosen.get(i).equals(rejected.get(i)), i -> false);
        return new JsonNode[] {slice(chosen, 0, idx), slice(chosen, idx, chosen.size()), slice(rejected, idx, rejected.size())};
    }

    /**
     * for idx in range(min(len(c), len(r))): if c[idx] != r[idx]: (idx -= 1 if c[idx-1] == " ") ; break
     * — and without a break idx is left at min-1 (0 when either is empty).
     */
    private static int prefixIndex(int lenC, int lenR, java.util.function.IntPredicate same,
                                   java.util.function.IntPredicate isSpace) {
        int n = Math.min(lenC, lenR);
        if (n == 0) {
            return 0;
        }
        for (int idx = 0; idx < n; idx++) {
            if (!same.test(idx)) {
                // At idx 0 there is no prefix (TRL would read c[-1] and cut to c[:-1], a bug we do not copy).
                return idx > 0 && isSpace.test(idx - 1) ? idx - 1 : idx;
            }
        }
        return n - 1;
    }

    private static ArrayNode slice(JsonNode list, int from, int to) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = from; i < to; i++) {
            out.add(list.get(i));
        }
        return out;
    }
}
