package align4j.model;

import align4j.tensor.AttentionMask;

/**
 * Sequences packed into one token row with no padding (docs/DESIGN.md#packed-batches-and-prefix-sharing):
 * each token has its id,
 * its position (RoPE angle or learned-position index) and the attention mask that keeps segments
 * apart while letting a completion see its shared prompt.
 *
 * <p>{@code targets} says where log-probabilities are needed: the hidden state at row
 * {@code targets.rows()[j]} predicts token {@code targets.tokens()[j]}, which belongs to sequence
 * {@code targets.seq()[j]}. The LM head runs only at these rows.
 */
public record Batch(int[] tokens, int[] positions, AttentionMask mask, Targets targets, int sequences) {

    public int size() {
        return tokens.length;
    }

    /** The rows where the LM head runs, the token each predicts, and the sequence it counts for. */
    public record Targets(int[] rows, int[] tokens, int[] seq) {
        public int size() {
            return rows.length;
        }
    }
}
