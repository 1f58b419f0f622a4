package align4j.data;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One tokenized sequence of an SFT or scoring dataset.
 *
 * @param ids          the whole sequence (prompt and completion, or a conversation, or a text)
 * @param promptLength how many leading ids are the prompt (0 for text and conversations)
 * @param lossMask     lossMask[i]: token i is a loss target (predicted from token i−1; index 0 never is)
 * @param record       the input record (written back by commands that annotate records)
 */
public record SequenceExample(String source, int[] ids, int promptLength, boolean[] lossMask, ObjectNode record) {

    /** Loss targets in this sequence. */
    public int lossTokens() {
        int n = 0;
        for (int i = 1; i < ids.length; i++) if (lossMask[i]) n++;
        return n;
    }

    public int[] prompt() {
        return java.util.Arrays.copyOf(ids, promptLength);
    }

    public int[] completion() {
        return java.util.Arrays.copyOfRange(ids, promptLength, ids.length);
    }
}
