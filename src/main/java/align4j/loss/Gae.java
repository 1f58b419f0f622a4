package align4j.loss;

/**
 * Generalized Advantage Estimation (Schulman et al. 2016, arXiv 1506.02438, eq. 16) over packed
 * sequences, and TRL's {@code masked_whiten}.
 *
 * <p>Layout: token arrays are packed without padding; sequence i owns indices
 * [offsets[i], offsets[i+1]), so {@code offsets} has one more entry than there are sequences.
 */
public final class Gae {
    /** TRL {@code masked_whiten}'s ε inside the square root. */
    public static final double WHITEN_EPS = 1e-8;

    private Gae() {}

    /**
     * Per sequence, backwards from its last token T−1 (the value after the last token is 0, the
     * episode ends there):
     * <pre>
     *   δ_t = r_t + γ·V_{t+1} − V_t
     *   A_t = δ_t + γλ·A_{t+1} = Σ_k (γλ)^k δ_{t+k}
     *   returns_t = A_t + V_t
     * </pre>
     * as TRL's PPO trainer computes them (step "6. compute advantages and returns"). Accumulates in
     * double; advantages and returns may not alias rewards or values.
     */
    public static void compute(float[] rewards, float[] values, int[] offsets, double gamma, double lambda,
                               float[] advantages, float[] returns) {
        for (int s = 0; s + 1 < offsets.length; s++) {
            double nextValue = 0, lastGaeLam = 0;
            for (int t = offsets[s + 1] - 1; t >= offsets[s]; t--) {
                double delta = rewards[t] + gamma * nextValue - values[t];
                lastGaeLam = delta + gamma * lambda * lastGaeLam;
                advantages[t] = (float) lastGaeLam;
                returns[t] = (float) (lastGaeLam + values[t]);
                nextValue = values[t];
            }
        }
    }

    /**
     * In place on x[0, n), TRL {@code masked_whiten} (trl/trainer/utils.py): mean μ, unbiased variance
     * σ² = Σ(x − μ)²/(n − 1), x ← (x − μ)/√(σ² + 1e-8); with shiftMean false the mean is added back
     * (TRL whitens rewards that way). Needs n ≥ 2, as TRL's {@code masked_var} does.
     */
    public static void whiten(float[] x, int n, boolean shiftMean) {
        if (n < 2) throw new IllegalArgumentException("whitening needs at least 2 values (unbiased variance), got " + n);
        double mean = 0;
        for (int i = 0; i < n; i++) mean += x[i];
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - mean;
            ss += d * d;
        }
        double inv = 1.0 / Math.sqrt(ss / (n - 1) + WHITEN_EPS);
        double add = shiftMean ? 0 : mean;
        for (int i = 0; i < n; i++) x[i] = (float) ((x[i] - mean) * inv + add);
    }
}
