package align4j.train;

import align4j.model.Batch;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-token log-probabilities of sampled completions under a model at a sampling temperature T, with
 * an optional value head on the same hidden states, and their backward.
 *
 * <p>Temperature: TRL's PPO and GRPO trainers divide the logits by T before the log-softmax both when
 * they score rollouts and when they train ({@code logits /= args.temperature + 1e-7}), so the ratio
 * π_θ/π_old compares the distributions the tokens were sampled from. The LM head has no bias, so
 * logits/T = (h/T)·Wᵀ: hidden rows are scaled by 1/T before the head and ∂L/∂h by 1/T after it.
 *
 * <p>Value head: PPO's V(s_t) is read from the policy's own final hidden state at the row that predicts
 * completion token t (TRL reads the value model at {@code context_length − 1 : −1}, the same rows).
 * Sharing the backbone, rather than TRL's separate value model, holds one transformer in memory and
 * costs one forward/backward per minibatch for both losses; vf_coef weighs the value gradient that
 * flows into the shared weights.
 *
 * <p>Target j of {@link Rollouts#batch} is packed completion token j, so logp[j] lines up with
 * {@link Rollouts#offsets}.
 */
public final class RolloutLogps {
    private final Transformer model;
    private final ScalarHead valueHead;
    private final double invTemperature;
    /** Forward with the model's LoRA adapters off: its base, the PEFT reference ({@link #base}). */
    private final boolean base;
    private float[] scaled = new float[0], dHidden = new float[0];
    private float[] lastInput;
    private int[] lastRows;
    private int rows;

    /** Per completion token: log π (temperature-scaled) and V (null without a value head). */
    public record Scored(float[] logp, float[] values) {}

    /**
     * A value head for PPO: V = w·h + b with w and b zero, so values start at 0, trainable. (TRL starts its
     * separate value model from the reward model; a fresh head on the policy has no such start.)
     */
    public static ScalarHead newValueHead(int hidden) {
        Tensor w = new Tensor("v_head.weight", 1, hidden), b = new Tensor("v_head.bias", 1);
        w.zeroGrad();
        b.zeroGrad();
        return new ScalarHead(w, b);
    }

    /** valueHead may be null (GRPO, RLOO, reference models). */
    public RolloutLogps(Transformer model, ScalarHead valueHead, double temperature) {
        this(model, valueHead, temperature, false);
    }

    private RolloutLogps(Transformer model, ScalarHead valueHead, double temperature, boolean base) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        this.model = model;
        this.valueHead = valueHead;
        this.invTemperature = 1.0 / temperature;
        this.base = base;
    }

    /**
     * Forward-only log-probs of the model with its LoRA adapters switched off for each call (PEFT's
     * disable_adapter(): the reference of a LoRA-trained policy, which shares its weights). Call it between
     * the policy's training forward and backward and the policy's kept activations are lost.
     */
    public static RolloutLogps base(Transformer model, double temperature) {
        return new RolloutLogps(model, null, temperature, true);
    }

    public Transformer model() {
        return model;
    }

    public boolean hasValueHead() {
        return valueHead != null;
    }

    /** The model's parameters, its LoRA adapters' when attached, then the value head's. */
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>(model.parameters());
        if (model.lora() != null) p.addAll(model.lora().parameters());
        p.addAll(valueHeadParameters());
        return p;
    }

    /** The value head's weight and bias (none without a value head). */
    public List<Tensor> valueHeadParameters() {
        List<Tensor> p = new ArrayList<>();
        if (valueHead != null) {
            p.add(valueHead.weight());
            if (valueHead.bias() != null) p.add(valueHead.bias());
        }
        return p;
    }

    /** Forward only (reference, old policy). */
    public float[] logps(Rollouts r) {
        return score(r).logp();
    }

    /** Forward only: log-probs and, with a value head, values. */
    public Scored score(Rollouts r) {
        return forward(r.batch(), false);
    }

    /** Forward keeping activations for {@link #backward}. */
    public Scored forwardForTraining(Batch b) {
        if (base) throw new IllegalStateException("the adapters-off view of a model is forward-only");
        return forward(b, true);
    }

    /** Backpropagates ∂L/∂logp and ∂L/∂V (null without a value head) into the trainable gradients. */
    public void backward(float[] dLogp, float[] dValues) {
        int n = rows * model.cfg.hidden();
        if (dHidden.length < n) dHidden = new float[n];
        Arrays.fill(dHidden, 0, n, 0f);
        model.head().backward(dLogp, dHidden);
        if (invTemperature != 1.0) for (int i = 0; i < n; i++) dHidden[i] *= (float) invTemperature;
        if (dValues != null) valueHead.backward(dValues, dHidden);
        model.backwardHidden(dHidden);
    }

    /**
     * Mean over the completion tokens of the last forward of the entropy −Σ_v p_v·log p_v of the
     * sampling distribution softmax(logits/T) (TRL's {@code policy/entropy_avg}, GRPO's {@code entropy}).
     * Computes the full-vocabulary logits again, a few hundred rows at a time; call it before the next forward.
     */
    public double meanEntropy() {
        return entropies(null) / lastRows.length;
    }

    /**
     * The entropy of each completion token's sampling distribution in the last forward, in packed order (TRL's
     * {@code entropies}, which {@code top_entropy_quantile} ranks); as {@link #meanEntropy}, call it before the
     * next forward.
     */
    public double[] tokenEntropies() {
        double[] perToken = new double[lastRows.length];
        entropies(perToken);
        return perToken;
    }

    /** Σ over the last forward's completion rows of the entropy, also written per row into perRow (null: not). */
    private double entropies(double[] perRow) {
        int r = lastRows.length, v = model.head().vocab();
        int chunk = Math.max(1, Math.min(r, (1 << 22) / v));
        float[] out = new float[chunk * v];
        double sum = 0;
        for (int s = 0; s < r; s += chunk) {
            int k = Math.min(chunk, r - s);
            model.logSoftmaxAt(out, lastInput, Arrays.copyOfRange(lastRows, s, s + k), k);
            for (int i = 0; i < k * v; i++) {
                double h = Math.exp(out[i]) * out[i];
                sum -= h;
                if (perRow != null) perRow[s + i / v] -= h;
            }
        }
        return sum;
    }

    private Scored forward(Batch b, boolean train) {
        if (!base) return forwardAsIs(b, train);
        model.setAdaptersEnabled(false);
        try {
            return forwardAsIs(b, train);
        } finally {
            model.setAdaptersEnabled(true);
        }
    }

    private Scored forwardAsIs(Batch b, boolean train) {
        float[] hidden = model.forwardHidden(b, train);
        rows = b.size();
        float[] in = hidden;
        if (invTemperature != 1.0) {
            int n = b.size() * model.cfg.hidden();
            if (scaled.length < n) scaled = new float[n];
            for (int i = 0; i < n; i++) scaled[i] = (float) (hidden[i] * invTemperature);
            in = scaled;
        }
        float[] logp = model.head().forward(in, b.targets(), b.size(), train).logp();
        lastInput = in;
        lastRows = b.targets().rows();
        float[] values = valueHead == null ? null : valueHead.forward(hidden, b.targets().rows(), train);
        return new Scored(logp, values);
    }
}
