package align4j.quickstart;

/**
 * Every size and hyperparameter of the quickstart experiment, recorded in summary.json.
 *
 * @param layers, hidden, heads  the GPT-2 policy's shape (n_layer, n_embd, n_head)
 * @param corpus                 pretraining reviews; the SFT model sees them {@code sftEpochs} times
 * @param prefixes               prompts sampled for preference data (the 8 prompts in turn)
 * @param samplesPerPrefix       SFT samples per prompt at T = 1; all their pairs are labelled (the paper: 4, so 6 pairs)
 * @param labelTemperature       τ of the Bradley–Terry labels: P(a ≻ b) = σ((r(a) − r(b))/τ)
 * @param dpoBetas               the DPO sweep (β)
 * @param rewardEpochs, rewardLearningRate  the reward model's training on the preference pairs
 * @param ppoKlCoefs             the PPO sweep (fixed kl_coef), rewarded by the learned reward model
 * @param ppoGtKlCoefs           the PPO-GT sweep, rewarded by the gold scorer (whose scale is τ times the reward model's)
 * @param bestOfN                the best-of-N sweep (N)
 * @param evalSamples            completions sampled per policy for its gold reward and KL
 * @param checkpointEvals        evaluations during each DPO and PPO run, besides the final one
 * @param checkpointSamples      completions sampled at those (the first ones of the final evaluation's draw)
 * @param maxNewTokens           sampling limit (a completion ends at end-of-text otherwise)
 */
public record QuickstartSettings(long seed, int layers, int hidden, int heads, int corpus, double sftEpochs,
                                 double sftLearningRate, int sftBatch, int prefixes, int samplesPerPrefix,
                                 double labelTemperature,
                                 double[] dpoBetas, double dpoEpochs, double dpoLearningRate, int dpoBatch,
                                 double preferredFtEpochs, double preferredFtLearningRate,
                                 double rewardEpochs, double rewardLearningRate,
                                 double[] ppoKlCoefs, double[] ppoGtKlCoefs, int ppoSteps, int ppoBatch, double ppoLearningRate,
                                 int[] bestOfN, int evalSamples, int checkpointEvals, int checkpointSamples,
                                 int maxNewTokens) {

    /** The experiment `align4j quickstart` runs (a few minutes on 2 cores). */
    public static QuickstartSettings full(long seed) {
        return new QuickstartSettings(seed, 2, 64, 4, 4000, 3, 3e-3, 32, 600, 4, 0.1,
                new double[] {0.1, 0.3, 1.0, 3.0}, 2, 1e-3, 32, 2, 1e-3, 2, 1e-3,
                new double[] {0.1, 0.3, 1.0, 3.0}, new double[] {0.01, 0.03, 0.1, 0.3}, 60, 64, 1e-3,
                new int[] {2, 4, 8, 16}, 1024, 2, 512, 20);
    }

    /** A seconds-long version for tests: the same stages on tiny sizes. */
    public static QuickstartSettings tiny(long seed) {
        return new QuickstartSettings(seed, 1, 16, 2, 64, 1, 3e-3, 16, 8, 3, 0.1,
                new double[] {0.1, 1.0}, 1, 1e-3, 8, 1, 1e-3, 1, 1e-3,
                new double[] {0.5}, new double[] {0.05}, 2, 8, 1e-3,
                new int[] {2, 4}, 16, 1, 8, 18);
    }
}
