package align4j.model;

import align4j.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * A linear head from the hidden state to one scalar, evaluated only at chosen rows of a packed batch:
 * {@code out[j] = w · h[rows[j]] + b}. It is Hugging Face's {@code score} layer of
 * {@code *ForSequenceClassification} with num_labels = 1 (a reward model reads it at each sequence's last
 * token; weight [1, C], no bias) and, with a bias, the value head of PPO (read at every completion row).
 *
 * <p>Backward: ∂L/∂h[rows[j]] += dOut[j]·w, ∂L/∂w += Σ_j dOut[j]·h[rows[j]], ∂L/∂b += Σ_j dOut[j].
 * Sums run in double in row order, so results do not depend on the thread count.
 */
public final class ScalarHead {
    private final Tensor weight, bias;
    private final int c;
    private float[] hidden;
    private int[] rows;

    /**
     * @param weight [1, C] (HF {@code score.weight}); trainable when its grad is non-null
     * @param bias   [1], or null for none (HF's reward head has none)
     */
    public ScalarHead(Tensor weight, Tensor bias) {
        if (weight.shape.length != 2 || weight.shape[0] != 1) {
            throw new IllegalArgumentException(weight.name + ": a scalar head needs shape [1, C], got "
                    + java.util.Arrays.toString(weight.shape));
        }
        if (bias != null && bias.size() != 1) throw new IllegalArgumentException(bias.name + ": bias must have one value");
        this.weight = weight;
        this.bias = bias;
        this.c = weight.shape[1];
    }

    /** A fresh head as HF initialises a Linear in {@code _init_weights}: normal(0, std) weights, zero bias. */
    public static Tensor initWeight(String name, int hidden, double std, long seed) {
        Tensor t = new Tensor(name, 1, hidden);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < hidden; i++) t.data[i] = (float) (rnd.nextGaussian() * std);
        return t;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    /**
     * The scalar at each of {@code rows} of {@code hidden} [batchRows, C]. With {@code forTraining} the
     * inputs are kept (not copied: the caller must not overwrite hidden before {@link #backward}).
     */
    public float[] forward(float[] hidden, int[] rows, boolean forTraining) {
        float[] w = weight.data;
        double b = bias == null ? 0 : bias.data[0];
        float[] out = new float[rows.length];
        for (int j = 0; j < rows.length; j++) {
            int o = rows[j] * c;
            double s = b;
            for (int i = 0; i < c; i++) s += (double) w[i] * hidden[o + i];
            out[j] = (float) s;
        }
        this.hidden = forTraining ? hidden : null;
        this.rows = forTraining ? rows : null;
        return out;
    }

    /** Accumulates dOut[j]·w into dHidden at rows[j], and the weight/bias gradients when trainable. */
    public void backward(float[] dOut, float[] dHidden) {
        if (rows == null) throw new IllegalStateException("ScalarHead.backward needs a preceding forward(…, true)");
        if (dOut.length != rows.length) {
            throw new IllegalArgumentException("dOut has " + dOut.length + " values for " + rows.length + " rows");
        }
        float[] w = weight.data;
        double[] gw = !weight.isTrainable() ? null : new double[c];
        double gb = 0;
        for (int j = 0; j < rows.length; j++) {
            int o = rows[j] * c;
            float d = dOut[j];
            for (int i = 0; i < c; i++) dHidden[o + i] += d * w[i];
            if (gw != null) for (int i = 0; i < c; i++) gw[i] += (double) d * hidden[o + i];
            gb += d;
        }
        if (gw != null) for (int i = 0; i < c; i++) weight.grad[i] += (float) gw[i];
        if (bias != null && bias.isTrainable()) bias.grad[0] += (float) gb;
        hidden = null;
        rows = null;
    }
}
