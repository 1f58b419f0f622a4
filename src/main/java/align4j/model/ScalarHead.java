package align4j.model;

import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A linear map from the hidden state to one number, read at chosen rows: out[j] = w·h[rows[j]] + b
 * (a reward model's {@code score} head, PPO's value head). Forward/backward pair; backward
 * accumulates into dHidden and into w's and b's gradients when they are trainable.
 */
public final class ScalarHead {
    private final Tensor weight, bias;
    private final int c;
    private float[] hidden;
    private int[] rows;

    /** weight [1, C]; bias [1] or null. */
    public ScalarHead(Tensor weight, Tensor bias) {
        if (weight.shape.length != 2 || weight.shape[0] != 1) throw new IllegalArgumentException(weight.name + " must have shape [1, hidden]");
        this.weight = weight;
        this.bias = bias;
        this.c = weight.shape[1];
    }

    /** A zero-initialised head named prefix.weight / prefix.bias (values start at 0). */
    public static ScalarHead zeros(String prefix, int hidden) {
        return new ScalarHead(new Tensor(prefix + ".weight", 1, hidden), new Tensor(prefix + ".bias", 1));
    }

    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>(List.of(weight));
        if (bias != null) p.add(bias);
        return p;
    }

    public float[] forward(float[] hidden, int[] rows) {
        float[] out = new float[rows.length];
        float[] w = weight.data;
        for (int j = 0; j < rows.length; j++) {
            int o = rows[j] * c;
            double s = bias == null ? 0 : bias.data[0];
            for (int i = 0; i < c; i++) s += (double) w[i] * hidden[o + i];
            out[j] = (float) s;
        }
        this.hidden = hidden;
        this.rows = rows;
        return out;
    }

    /** dHidden[rows[j]] += dOut[j]·w; w.grad += Σ_j dOut[j]·h[rows[j]]; b.grad += Σ_j dOut[j]. */
    public void backward(float[] dOut, float[] dHidden) {
        float[] w = weight.data;
        for (int j = 0; j < rows.length; j++) {
            int o = rows[j] * c;
            float g = dOut[j];
            for (int i = 0; i < c; i++) dHidden[o + i] += g * w[i];
            if (weight.grad != null) for (int i = 0; i < c; i++) weight.grad[i] += g * hidden[o + i];
            if (bias != null && bias.grad != null) bias.grad[0] += g;
        }
    }
}
