package align4j.generate;

/**
 * One generated completion.
 *
 * @param promptIndex  which prompt (index into the list given to {@link Generator#generate})
 * @param sampleIndex  which of its num_return_sequences completions
 * @param tokenIds     the generated ids, including a final stop id (eos) when one ended the sequence
 * @param logprobs     log p(token | context) of each generated id under the model's untempered
 *                     distribution (log-softmax of the raw logits), whatever warpers picked it — the
 *                     "old log-probs" PPO and GRPO start from
 * @param text         the decoded completion without special tokens, cut before a stop string;
 *                     null when generating without a tokenizer
 * @param finishReason why it ended
 */
public record Generation(int promptIndex, int sampleIndex, int[] tokenIds, float[] logprobs, String text,
                         FinishReason finishReason) {

    /** Why a sequence ended, named as vLLM and OpenAI name it. */
    public enum FinishReason {
        /** A stop token id (eos) or a stop string. */
        STOP,
        /** max_new_tokens, or the model's maximum positions. */
        LENGTH;

        /** "stop" or "length". */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Σ logprobs, in double and in token order. */
    public double sumLogprobs() {
        double s = 0;
        for (float l : logprobs) s += l;
        return s;
    }
}
