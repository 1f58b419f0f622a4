package align4j.quickstart;

/**
 * Every size and hyperparameter of the quickstart experiment, recorded in summary.json.
 *
 * @param layers, hidden, heads  the GPT-2 policy's shape (n_layer, n_embd, n_head)
 * @param corpus                 pretraining reviews; the SFT model sees them {@code sftEpochs} times
 * @param pairs                  preference pairs, each two SFT samples of one prompt at T = 1
 * @param labelTemperature       τ of the Bradley–Terry labels: P(a ≻ b) = σ((r(a) − r(b))/τ)
 * @param dpoBetas               the DPO sweep (β)
 * @param ppoKlCoefs             the PPO sweep (fixed kl_coef)
 * @param bestOfN                the best-of-N sweep (N)
 * @param evalSamples            completions sampled per policy for its gold reward and KL
 * @param maxNewTokens           sampling limit (a completion ends at end-of-text otherwise)
 */
public record QuickstartSettings(long seed, int layers, int hidden, int heads, int corpus, double sftEpochs,
                                 double sftLearningRate, int sftBatch, int pairs, double labelTemperature,
                                 double[] dpoBetas, double dpoEpochs, double dpoLearningRate, int dpoBatch,
                                 double preferredFtEpochs, double preferredFtLearningRate,
                                 double[] ppoKlCoefs, int ppoSteps, int ppoBatch, double ppoLearningRate,
                                 int[] bestOfN, int evalSamples, int maxNewTokens) {

    /** The experiment `align4j quickstart` runs (a few minutes on 2 cores). */
    public static QuickstartSettings full(long seed) {
        return new QuickstartSettings(seed, 2, 64, 4, 4000, 3, 3e-3, 32, 1500, 0.1,
                new double[] {0.05, 0.1, 0.3, 1.0}, 2, 1e-3, 32, 2, 1e-3,
                new double[] {0.02, 0.05, 0.2}, 30, 64, 1e-3,
                new int[] {2, 4, 8, 16}, 256, 20);
    }

    /** A seconds-long version for tests: the same stages on tiny sizes. */
    public static QuickstartSettings tiny(long seed) {
        return new QuickstartSettings(seed, 1, 16, 2, 64, 1, 3e-3, 16, 16, 0.1,
                new double[] {0.1, 1.0}, 1, 1e-3, 8, 1, 1e-3,
                new double[] {0.05}, 2, 8, 1e-3,
                new int[] {2, 4}, 16, 18);
    }
}
