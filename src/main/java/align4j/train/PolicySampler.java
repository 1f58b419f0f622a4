package align4j.train;

import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import align4j.model.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rollouts sampled from the current policy with {@link Generator} (KV-cache decoding, Hugging Face's
 * temperature / top-k / top-p, one random stream per sequence seeded from (seed, index)): the
 * {@link RolloutSampler} the RL commands use. A completion ends at a stop token, which it keeps as its
 * last token (TRL keeps EOS), or at the length limit, which marks it truncated.
 */
public final class PolicySampler implements RolloutSampler {
    private final Generator generator;
    private final SamplingParams params;

    /** topK ≤ 0 and topP = 1 disable those filters; stopTokens may be empty. */
    public PolicySampler(Transformer model, double temperature, int topK, double topP, int maxNewTokens, int[] stopTokens) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (maxNewTokens < 1) throw new IllegalArgumentException("the completion length limit must be ≥ 1, got " + maxNewTokens);
        List<Integer> stops = new ArrayList<>();
        for (int s : stopTokens) stops.add(s);
        this.generator = new Generator(model, null);
        this.params = new SamplingParams(maxNewTokens, true, (float) temperature, Math.max(0, topK), (float) topP, 1, stops, List.of());
    }

    @Override
    public Rollouts sample(int[][] prompts, int perPrompt, long seed) {
        List<Generation> gen = generator.generate(Arrays.asList(prompts), params.withNumReturnSequences(perPrompt), seed);
        int n = gen.size();
        int[][] p = new int[n][], c = new int[n][];
        boolean[] truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            Generation g = gen.get(i);
            p[i] = prompts[g.promptIndex()];
            c[i] = g.tokenIds();
            if (c[i].length == 0) {
                throw new IllegalArgumentException("prompt " + g.promptIndex() + " (" + p[i].length
                        + " tokens) leaves no room for a completion within the model's positions");
            }
            truncated[i] = g.finishReason() == Generation.FinishReason.LENGTH;
        }
        return new Rollouts(p, c, truncated);
    }
}
