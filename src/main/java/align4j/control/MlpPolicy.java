package align4j.control;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A small policy network: inputs divided by a fixed per-component scale, tanh hidden layers, and a
 * softmax over the discrete actions, π(a|s) = softmax(W_L·tanh(…tanh(W_1·(s/scale) + b_1)…) + b_L)_a.
 * Parameters live in one flat array, layer by layer, each as W [out, in] row-major then b [out].
 * {@link #forward} and {@link #backward} are a pair: backward uses the activations of the last
 * forward call and ACCUMULATES into the gradient. One instance is not safe for concurrent use
 * (its activation workspace is shared); {@link #copy()} gives an independent one.
 */
public final class MlpPolicy {
    private final int[] sizes;
    private final float[] inputScale;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final float[] params;
    private final float[][] acts;   // acts[0] = scaled input, acts[l] = output of layer l (logits last)
    private final float[][] deltas; // gradient w.r.t. acts[l]

    /**
     * A freshly initialised policy; {@code sizes} = {observations, hidden…, actions}. Weights and
     * biases are uniform in ±1/√fan_in, PyTorch's {@code nn.Linear} default.
     */
    public MlpPolicy(int[] sizes, float[] inputScale, RandomGenerator rng) {
        if (sizes.length < 2) throw new IllegalArgumentException("need at least input and output sizes");
        if (inputScale.length != sizes[0]) throw new IllegalArgumentException("inputScale length != input size");
        this.sizes = sizes.clone();
        this.inputScale = inputScale.clone();
        int layers = sizes.length - 1;
        weightOffset = new int[layers];
        biasOffset = new int[layers];
        int n = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = n;
            n += sizes[l + 1] * sizes[l];
            biasOffset[l] = n;
            n += sizes[l + 1];
        }
        params = new float[n];
        for (int l = 0; l < layers; l++) {
            double bound = 1.0 / Math.sqrt(sizes[l]);
            for (int i = weightOffset[l]; i < biasOffset[l] + sizes[l + 1]; i++) {
                params[i] = (float) rng.nextDouble(-bound, bound);
            }
        }
        acts = new float[sizes.length][];
        deltas = new float[sizes.length][];
        for (int l = 0; l < sizes.length; l++) {
            acts[l] = new float[sizes[l]];
            deltas[l] = new float[sizes[l]];
        }
    }

    private MlpPolicy(MlpPolicy other) {
        this(other.sizes, other.inputScale, new java.util.SplittableRandom(0)); // weights overwritten next
        System.arraycopy(other.params, 0, params, 0, params.length);
    }

    /** An independent policy with the same parameters. */
    public MlpPolicy copy() {
        return new MlpPolicy(this);
    }

    public int observationSize() { return sizes[0]; }

    public int actionCount() { return sizes[sizes.length - 1]; }

    public int parameterCount() { return params.length; }

    /** The live parameter array (optimisers update it in place). */
    public float[] parameters() { return params; }

    /** Layer sizes {observations, hidden…, actions}. */
    public int[] sizes() { return sizes.clone(); }

    /** Computes the logits for {@code obs[offset..]}; the returned array is the policy's workspace. */
    public float[] forward(float[] obs, int offset) {
        float[] in = acts[0];
        for (int i = 0; i < sizes[0]; i++) in[i] = obs[offset + i] / inputScale[i];
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            float[] x = acts[l], y = acts[l + 1];
            int nIn = sizes[l], nOut = sizes[l + 1];
            int w = weightOffset[l], b = biasOffset[l];
            for (int o = 0; o < nOut; o++) {
                float sum = params[b + o];
                int row = w + o * nIn;
                for (int i = 0; i < nIn; i++) sum += params[row + i] * x[i];
                y[o] = l < layers - 1 ? (float) Math.tanh(sum) : sum;
            }
        }
        return acts[layers];
    }

    /**
     * Given dLoss/dlogits for the last {@link #forward} call, adds dLoss/dθ to {@code grad}
     * (same layout as {@link #parameters()}).
     */
    public void backward(float[] dLogits, float[] grad) {
        int layers = sizes.length - 1;
        System.arraycopy(dLogits, 0, deltas[layers], 0, sizes[layers]);
        for (int l = layers - 1; l >= 0; l--) {
            float[] x = acts[l], dy = deltas[l + 1], dx = deltas[l];
            int nIn = sizes[l], nOut = sizes[l + 1];
            int w = weightOffset[l], b = biasOffset[l];
            Arrays.fill(dx, 0f);
            for (int o = 0; o < nOut; o++) {
                float g = dy[o];
                grad[b + o] += g;
                int row = w + o * nIn;
                for (int i = 0; i < nIn; i++) {
                    grad[row + i] += g * x[i];
                    dx[i] += g * params[row + i];
                }
            }
            if (l > 0) {
                // x = tanh(pre) → dpre = dx·(1 − x²)
                for (int i = 0; i < nIn; i++) dx[i] *= 1 - x[i] * x[i];
            }
        }
    }

    /** Writes π(·|obs) into {@code probs}. */
    public void probabilities(float[] obs, int offset, double[] probs) {
        float[] logits = forward(obs, offset);
        softmax(logits, probs);
    }

    /** log π(action|obs), computed in double with the max subtracted. */
    public double logProb(float[] obs, int offset, int action) {
        float[] logits = forward(obs, offset);
        return logits[action] - logSumExp(logits);
    }

    /** Samples an action from π(·|obs). */
    public int sample(float[] obs, int offset, RandomGenerator rng) {
        float[] logits = forward(obs, offset);
        double lse = logSumExp(logits);
        double u = rng.nextDouble();
        double cum = 0;
        int last = logits.length - 1;
        for (int a = 0; a < last; a++) {
            cum += Math.exp(logits[a] - lse);
            if (u < cum) return a;
        }
        return last;
    }

    /**
     * Adds {@code scale}·∇θ log π(action|obs) to {@code grad}, using ∂log π(a|s)/∂logits = onehot(a) − π(·|s).
     * {@code dLogits} is caller-owned scratch of length {@link #actionCount()}. Returns log π(action|obs).
     */
    public double accumulateLogProbGradient(float[] obs, int offset, int action, double scale,
                                            float[] dLogits, float[] grad) {
        float[] logits = forward(obs, offset);
        double lse = logSumExp(logits);
        for (int a = 0; a < logits.length; a++) {
            double p = Math.exp(logits[a] - lse);
            dLogits[a] = (float) (scale * ((a == action ? 1 : 0) - p));
        }
        double logp = logits[action] - lse;
        backward(dLogits, grad);
        return logp;
    }

    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    static void softmax(float[] logits, double[] out) {
        double lse = logSumExp(logits);
        for (int a = 0; a < logits.length; a++) out[a] = Math.exp(logits[a] - lse);
    }
}
