package align4j.generate;

import align4j.InputException;
import java.util.List;

/**
 * How to pick each next token, with Hugging Face's names and semantics (GenerationConfig).
 *
 * @param maxNewTokens       max_new_tokens: at most this many generated tokens per sequence
 * @param doSample           do_sample: false picks the argmax (greedy); so does temperature 0
 * @param temperature        logits are divided by it before sampling (TemperatureLogitsWarper)
 * @param topK               top_k: keep the k highest logits (ties with the k-th kept); 0 disables (TopKLogitsWarper)
 * @param topP               top_p: keep the smallest set of most likely tokens whose probability sums to
 *                           at least p, at least one token; 1 disables (TopPLogitsWarper)
 * @param numReturnSequences num_return_sequences: completions per prompt
 * @param stopTokenIds       generation ends after any of these ids (eos_token_id); the id is kept in the
 *                           token ids and left out of the text
 * @param stop               stop strings: generation ends once the decoded completion contains one; the
 *                           text is cut before it (the tokens that formed it stay in the ids)
 */
public record SamplingParams(int maxNewTokens, boolean doSample, float temperature, int topK, float topP,
                             int numReturnSequences, List<Integer> stopTokenIds, List<String> stop) {
    public SamplingParams {
        if (maxNewTokens < 0) throw new InputException("max_new_tokens must be ≥ 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new InputException("temperature must be a finite number ≥ 0, got " + temperature);
        }
        if (topK < 0) throw new InputException("top_k must be ≥ 0 (0 disables it), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InputException("top_p must be in (0, 1], got " + topP);
        if (numReturnSequences < 1) {
            throw new InputException("num_return_sequences must be ≥ 1, got " + numReturnSequences);
        }
        stopTokenIds = List.copyOf(stopTokenIds);
        stop = List.copyOf(stop);
        for (String s : stop) if (s.isEmpty()) throw new InputException("a stop string must not be empty");
    }

    /** The same parameters stopping at these ids instead. */
    public SamplingParams withStopTokenIds(List<Integer> stopTokenIds) {
        return new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, numReturnSequences, stopTokenIds, stop);
    }

    /** Greedy decoding of up to maxNewTokens tokens, stopping at the given ids. */
    public static SamplingParams greedy(int maxNewTokens, List<Integer> stopTokenIds) {
        return new SamplingParams(maxNewTokens, false, 1f, 0, 1f, 1, stopTokenIds, List.of());
    }

    /** Plain sampling at temperature 1 (no top-k/top-p), as TRL's online trainers generate by default. */
    public static SamplingParams sampling(int maxNewTokens, List<Integer> stopTokenIds) {
        return new SamplingParams(maxNewTokens, true, 1f, 0, 1f, 1, stopTokenIds, List.of());
    }

    /** Whether tokens are drawn at random (do_sample and a positive temperature) rather than argmax. */
    public boolean sampling() {
        return doSample && temperature > 0;
    }

    public SamplingParams withTemperature(float t) {
        return new SamplingParams(maxNewTokens, doSample, t, topK, topP, numReturnSequences, stopTokenIds, stop);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(maxNewTokens, doSample, temperature, k, topP, numReturnSequences, stopTokenIds, stop);
    }

    public SamplingParams withTopP(float p) {
        return new SamplingParams(maxNewTokens, doSample, temperature, topK, p, numReturnSequences, stopTokenIds, stop);
    }

    public SamplingParams withNumReturnSequences(int n) {
        return new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, n, stopTokenIds, stop);
    }

    public SamplingParams withStop(List<String> strings) {
        return new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, numReturnSequences, stopTokenIds, strings);
    }
}
