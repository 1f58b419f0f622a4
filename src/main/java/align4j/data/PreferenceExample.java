package align4j.data;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tokenized preference pair: the prompt ids and the ids of each completion as the model sees them after the
 * prompt. {@code source} is {@code file:line}; {@code record} is the input record, for writing results back.
 */
public record PreferenceExample(String source, int[] prompt, int[] chosen, int[] rejected, ObjectNode record) {

    /** Every id must index the model's embedding table: 0 ≤ id < vocabSize. */
    public void checkVocabulary(int vocabSize) {
        check(prompt, "prompt_input_ids", vocabSize);
        check(chosen, "chosen_input_ids", vocabSize);
        check(rejected, "rejected_input_ids", vocabSize);
    }

    private void check(int[] ids, String field, int vocabSize) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new DatasetException(RecordLocation.parse(source), field, "token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
            }
        }
    }
}
