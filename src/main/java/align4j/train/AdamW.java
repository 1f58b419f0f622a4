package align4j.train;

import align4j.tensor.Parallel;
import align4j.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * AdamW as {@code torch.optim.AdamW} computes it (Loshchilov &amp; Hutter 2019, arXiv 1711.05101), per
 * element in float32, in torch's order of operations:
 * <pre>
 *   t += 1
 *   p ← p·(1 − lr·wd)                       decoupled weight decay
 *   m ← β1·m + (1−β1)·g
 *   v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1^t) · m / (√v / √(1−β2^t) + ε)      (ε outside the square root)
 * </pre>
 * Tensors whose {@code grad} is null are frozen: skipped, with no state and no step, as torch skips
 * parameters without a gradient. Each tensor keeps its own step count, as torch does.
 */
public final class AdamW {
    public static final double DEFAULT_BETA1 = 0.9, DEFAULT_BETA2 = 0.999, DEFAULT_EPS = 1e-8;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Elements per parallel chunk: below this a tensor is updated on the calling thread. */
    private static final int MIN_PER_CHUNK = 1 << 16;

    /**
     * HF Trainer's no-decay rule, by name only: {@code get_decay_parameter_names} excludes parameters
     * of {@code nn.LayerNorm} modules (by type) and names containing "bias", "layernorm" or "rmsnorm".
     * Without module types, LayerNorm modules are recognised by name: GPT-2's {@code ln_1}, {@code ln_2},
     * {@code ln_f} and {@code *layer_norm} (OPT, GPT-NeoX). Llama's final {@code model.norm} is an
     * RMSNorm, not a LayerNorm, and its name has neither word, so HF decays it; so does this rule.
     */
    public static final Predicate<String> HF_DECAY = AdamW::hfDecays;
    private static final Pattern LAYER_NORM_MODULE = Pattern.compile("(^|\\.)(ln_[^.]*|[^.]*layer_norm)\\.[^.]+$");

    /** Optimizer state of one tensor: torch's {@code exp_avg}, {@code exp_avg_sq} and {@code step}. */
    public static final class State {
        public final float[] expAvg, expAvgSq;
        private long step;

        State(int size) {
            expAvg = new float[size];
            expAvgSq = new float[size];
        }

        public long step() {
            return step;
        }
    }

    private final List<Tensor> params;
    private final double beta1, beta2, eps, weightDecay;
    private final boolean[] decays;
    private final Map<String, State> state = new LinkedHashMap<>();

    /** torch's defaults (β 0.9/0.999, ε 1e-8); weight decay wd applies to tensors whose name passes {@code decays}. */
    public AdamW(List<Tensor> params, double weightDecay, Predicate<String> decays) {
        this(params, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, weightDecay, decays);
    }

    public AdamW(List<Tensor> params, double beta1, double beta2, double eps, double weightDecay,
                 Predicate<String> decays) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("adam_epsilon and weight_decay must be ≥ 0, got " + eps + ", " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decays = new boolean[this.params.size()];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < this.params.size(); i++) {
            String name = this.params.get(i).name;
            if (!seen.add(name)) throw new IllegalArgumentException("parameter " + name + " is listed twice");
            this.decays[i] = decays.test(name);
        }
    }

    static boolean hfDecays(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("bias") || n.contains("layernorm") || n.contains("rmsnorm")) return false;
        return !LAYER_NORM_MODULE.matcher(n).find();
    }

    /** Whether weight decay applies to the parameter with this name. */
    public boolean decays(String name) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name.equals(name)) return decays[i];
        }
        throw new IllegalArgumentException("no parameter " + name);
    }

    /** One update of every trainable tensor with learning rate lr. */
    public void step(double lr) {
        for (int i = 0; i < params.size(); i++) {
            Tensor t = params.get(i);
            if (!t.isTrainable()) continue;
            State s = state.computeIfAbsent(t.name, k -> new State(t.size()));
            s.step++;
            update(t.data, t.grad, s, lr, decays[i] ? weightDecay : 0.0);
        }
    }

    private void update(float[] p, float[] g, State s, double lr, double wd) {
        // Scalars are formed in double, as torch's Python code does, then used as float32 in the kernel.
        float decay = (float) (1 - lr * wd);
        boolean applyDecay = wd != 0;
        float b1 = (float) beta1, omb1 = (float) (1 - beta1), b2 = (float) beta2, omb2 = (float) (1 - beta2);
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, s.step));
        float negStepSize = (float) (-lr / (1 - Math.pow(beta1, s.step)));
        float epsF = (float) eps;
        float[] m = s.expAvg, v = s.expAvgSq;
        Parallel.forChunks(p.length, MIN_PER_CHUNK, (c, start, end) -> {
            FloatVector omb1V = FloatVector.broadcast(F, omb1);
            int i = start;
            for (int upper = start + F.loopBound(end - start); i < upper; i += F.length()) {
                FloatVector pv = FloatVector.fromArray(F, p, i);
                FloatVector gv = FloatVector.fromArray(F, g, i);
                if (applyDecay) pv = pv.mul(decay);
                FloatVector mv = gv.fma(omb1V, FloatVector.fromArray(F, m, i).mul(b1));
                FloatVector vv = gv.mul(omb2).mul(gv).add(FloatVector.fromArray(F, v, i).mul(b2));
                FloatVector denom = vv.sqrt().div(bc2Sqrt).add(epsF);
                mv.intoArray(m, i);
                vv.intoArray(v, i);
                mv.mul(negStepSize).div(denom).add(pv).intoArray(p, i);
            }
            for (; i < end; i++) {
                float pi = applyDecay ? p[i] * decay : p[i];
                float mi = Math.fma(g[i], omb1, m[i] * b1);
                float vi = g[i] * omb2 * g[i] + v[i] * b2;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + epsF;
                m[i] = mi;
                v[i] = vi;
                p[i] = mi * negStepSize / denom + pi;
            }
        });
    }

    /** The state of every tensor updated so far, by tensor name in parameter order (for checkpoints). */
    public Map<String, State> state() {
        Map<String, State> ordered = new LinkedHashMap<>();
        for (Tensor t : params) {
            State s = state.get(t.name);
            if (s != null) ordered.put(t.name, s);
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** Restores one tensor's state from a checkpoint (the arrays are copied). */
    public void restore(String name, long step, float[] expAvg, float[] expAvgSq) {
        Tensor t = null;
        for (Tensor p : params) {
            if (p.name.equals(name)) t = p;
        }
        if (t == null) throw new IllegalArgumentException("optimizer state for unknown parameter " + name);
        if (expAvg.length != t.size() || expAvgSq.length != t.size()) {
            throw new IllegalArgumentException("optimizer state for " + name + " has " + expAvg.length + "/"
                    + expAvgSq.length + " values, the parameter has " + t.size());
        }
        if (step < 1) throw new IllegalArgumentException("optimizer state for " + name + " has step " + step);
        State s = new State(t.size());
        System.arraycopy(expAvg, 0, s.expAvg, 0, expAvg.length);
        System.arraycopy(expAvgSq, 0, s.expAvgSq, 0, expAvgSq.length);
        s.step = step;
        state.put(name, s);
    }
}
