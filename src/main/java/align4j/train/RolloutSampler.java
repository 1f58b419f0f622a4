package align4j.train;

/**
 * Where RL rollouts come from: completions sampled from the current policy for a batch of prompts.
 * The commands plug in {@code align4j.generate} (KV-cache decoding with the TRL sampling options);
 * tests may plug in fixed completions.
 */
@FunctionalInterface
public interface RolloutSampler {
    /**
     * perPrompt completions for each prompt, laid out prompt after prompt: rollout p·perPrompt + g answers
     * prompts[p] and holds that same array (so {@link Rollouts#batch} computes each prompt once).
     * The same seed gives the same completions.
     */
    Rollouts sample(int[][] prompts, int perPrompt, long seed);
}
