package align4j.api;

import align4j.InputException;
import java.util.List;

/**
 * How an online RL job samples its completions beyond the temperature and length its config holds, with Hugging
 * Face's names.
 *
 * @param topK         sample among the k most likely tokens; 0: all (top_k; default 0)
 * @param topP         nucleus sampling mass (top_p; default 1)
 * @param stopTokenIds a completion ends at any of these ids, kept as its last token (TRL's stop_token_id; default
 *                     none: completions run to the length limit)
 */
public record RolloutSampling(int topK, double topP, List<Integer> stopTokenIds) {
    public RolloutSampling {
        if (topK < 0) throw new InputException("top_k must be ≥ 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new InputException("top_p must be in (0, 1], got " + topP);
        stopTokenIds = List.copyOf(stopTokenIds);
    }

    /** Plain sampling, no stop token: TRL's online trainers' defaults. */
    public static RolloutSampling defaults() {
        return new RolloutSampling(0, 1.0, List.of());
    }

    public RolloutSampling withTopK(int topK) {
        return new RolloutSampling(topK, topP, stopTokenIds);
    }

    public RolloutSampling withTopP(double topP) {
        return new RolloutSampling(topK, topP, stopTokenIds);
    }

    public RolloutSampling withStopTokenIds(List<Integer> stopTokenIds) {
        return new RolloutSampling(topK, topP, stopTokenIds);
    }
}
