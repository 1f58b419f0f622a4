package align4j.model;

import align4j.InputException;
import align4j.tensor.MatMul;
import align4j.tensor.Parallel;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * LoRA adapters on a {@link Transformer}'s linear layers, as PEFT defines them
 * ({@code peft/tuners/lora/layer.py}, {@code Linear.forward}):
 * <pre>
 *   y = base(x) + lora_B(lora_A(dropout(x))) · scaling,   scaling = lora_alpha / r
 * </pre>
 * with lora_A.weight [r, in] initialised kaiming-uniform(a = √5), i.e. U(−1/√in, 1/√in), and lora_B.weight
 * [out, r] zeros, so a fresh adapter changes nothing. The base weights stay frozen; only A and B train.
 *
 * <p>Modules are named as in the Hugging Face model PEFT wraps (Llama family: q_proj, k_proj, v_proj, o_proj,
 * gate_proj, up_proj, down_proj; GPT-2's Conv1D layers: c_attn, attn.c_proj, c_fc, mlp.c_proj). align4j
 * fuses q/k/v and gate/up into one matrix ({@link ParamNames}), so an adapter on q_proj adds its output to
 * the q rows of the fused projection, one on up_proj to the up rows, and so on. Tensor names are PEFT's
 * saved names, e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.
 *
 * <p>Dropout draws its mask from a counter-based hash of (seed, training forward, adapter, element), so
 * backward and a checkpointed recompute see the mask the forward used without storing it.
 */
public final class Lora {
    /** The four fused projections of a block that adapters attach to, with their parameter names ({@link ParamNames}). */
    public enum Site {
        QKV("qkv"), OUT("out"), UP("up"), DOWN("down");

        private final String param;

        Site(String param) {
            this.param = param;
        }

        /** The weight's name within a layer, e.g. "qkv.weight" ({@link ParamNames#layer}). */
        public String weightName() {
            return param + ".weight";
        }

        /** The bias's name within a layer, e.g. "qkv.bias". */
        public String biasName() {
            return param + ".bias";
        }
    }

    /** A linear layer of the HF model: its PEFT module path and the rows of the fused projection it is. */
    public record Module(String path, String name, int layer, Site site, int row0, int rows, int in) {}

    /** One adapter: A [r, in], B [rows, r], and its A·x (the [tokens, r] activation backward needs). */
    public static final class Adapter {
        public final Module module;
        public final Tensor a, b;
        final int index;
        float[] u = new float[0];

        Adapter(Module module, Tensor a, Tensor b, int index) {
            this.module = module;
            this.a = a;
            this.b = b;
            this.index = index;
        }
    }

    /** The base model's config the adapters were made for. */
    public final ModelConfig modelConfig;
    public final LoraConfig config;
    private final float scale;
    private final List<Adapter> adapters;
    private final Adapter[][][] bySite; // [layer][site] → adapters
    private final long seed;
    private long forwardCounter;
    /** Keeps the current dropout masks for the following training forwards ({@link #holdDropoutMask}). */
    private boolean maskHeld;
    /**
     * Scratch, grown on demand: an adapter's B·u [t, rows]; scaling·dy on its rows [t, rows]; ∂L/∂u [t, r];
     * dropout(x) [t, in]; ∂L/∂dropout(x) [t, in].
     */
    private float[] delta = new float[0], scaledDy = new float[0], dU = new float[0], droppedX = new float[0],
            dDroppedX = new float[0];

    private Lora(ModelConfig modelConfig, LoraConfig config, List<Adapter> adapters, long seed) {
        this.modelConfig = modelConfig;
        this.config = config;
        this.scale = (float) config.scale();
        this.adapters = List.copyOf(adapters);
        this.seed = seed;
        bySite = new Adapter[modelConfig.layers()][Site.values().length][];
        for (int l = 0; l < modelConfig.layers(); l++) {
            for (Site s : Site.values()) {
                List<Adapter> here = new ArrayList<>();
                for (Adapter a : adapters) if (a.module.layer == l && a.module.site == s) here.add(a);
                bySite[l][s.ordinal()] = here.toArray(new Adapter[0]);
            }
        }
    }

    /** Fresh adapters as PEFT initialises them (A kaiming-uniform(a=√5) from the seed, B zeros); trainable. */
    public static Lora create(ModelConfig model, LoraConfig config, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Adapter> list = new ArrayList<>();
        for (Module m : targets(model, config)) {
            Tensor a = new Tensor(m.path + ".lora_A.weight", config.r(), m.in);
            Tensor b = new Tensor(m.path + ".lora_B.weight", m.rows, config.r());
            // torch.nn.init.kaiming_uniform_(w, a=√5): gain √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in) = 1/√in
            double bound = 1.0 / Math.sqrt(m.in);
            for (int i = 0; i < a.data.length; i++) a.data[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
            a.zeroGrad();
            b.zeroGrad();
            list.add(new Adapter(m, a, b, list.size()));
        }
        return new Lora(model, config, list, seed);
    }

    /** Adapters with the given tensors (PEFT names → A/B), e.g. read from a PEFT folder; trainable. */
    public static Lora of(ModelConfig model, LoraConfig config, Map<String, Tensor> tensors, long seed) {
        List<Adapter> list = new ArrayList<>();
        for (Module m : targets(model, config)) {
            Tensor a = tensors.get(m.path + ".lora_A.weight"), b = tensors.get(m.path + ".lora_B.weight");
            if (a == null || b == null) {
                throw new ModelFormatException("adapter has no " + (a == null ? "lora_A" : "lora_B") + " weight for module "
                        + m.path + " (target_modules " + config.targetModules() + ")");
            }
            check(a, config.r(), m.in);
            check(b, m.rows, config.r());
            a.zeroGrad();
            b.zeroGrad();
            list.add(new Adapter(m, a, b, list.size()));
        }
        return new Lora(model, config, list, seed);
    }

    private static void check(Tensor t, int rows, int cols) {
        if (t.shape.length != 2 || t.shape[0] != rows || t.shape[1] != cols) {
            throw new ModelFormatException("adapter tensor '" + t.name + "' has shape " + Arrays.toString(t.shape)
                    + ", expected [" + rows + ", " + cols + "]");
        }
    }

    /** PEFT's default target_modules per model type (TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING). */
    public static List<String> defaultTargets(ModelConfig model) {
        return model.family() == ModelConfig.Family.GPT2 ? List.of("c_attn") : List.of("q_proj", "v_proj");
    }

    /**
     * What "all-linear" expands to (PEFT {@code _maybe_include_all_linear_layers}: the last name part of every
     * nn.Linear / Conv1D except the output embedding).
     */
    public static List<String> allLinear(ModelConfig model) {
        Set<String> names = new LinkedHashSet<>();
        for (Module m : modules(model)) names.add(m.name);
        return List.copyOf(names);
    }

    /** The target_modules a config resolves to for this model, as PEFT writes them into adapter_config.json. */
    public static List<String> resolvedTargets(ModelConfig model, LoraConfig config) {
        List<String> t = config.targetModules();
        if (t == null) return defaultTargets(model);
        if (t.size() == 1 && t.get(0).equals("all-linear")) return allLinear(model);
        return t;
    }

    /** The modules a config adapts, in model order; fails naming the targets when none match. */
    public static List<Module> targets(ModelConfig model, LoraConfig config) {
        List<String> want = resolvedTargets(model, config);
        List<Module> out = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Module m : modules(model)) {
            // PEFT check_target_module_exists: key == target or key ends with "." + target
            String key = m.path.substring("base_model.model.".length());
            for (String t : want) {
                if (key.equals(t) || key.endsWith("." + t)) {
                    out.add(m);
                    used.add(t);
                    break;
                }
            }
        }
        if (out.isEmpty()) {
            throw new InputException("target modules " + want + " not found in the base model (a "
                    + model.modelType() + " model has " + allLinear(model) + ")");
        }
        return out;
    }

    /** Every linear layer of a block that LoRA can target, with PEFT's module paths. */
    public static List<Module> modules(ModelConfig c) {
        int C = c.hidden(), I = c.intermediate(), q = c.heads() * c.headDim(), kv = c.kvHeads() * c.headDim();
        List<Module> m = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            if (c.family() == ModelConfig.Family.GPT2) {
                String h = "base_model.model.transformer.h." + l + ".";
                m.add(new Module(h + "attn.c_attn", "c_attn", l, Site.QKV, 0, c.qkvDim(), C));
                m.add(new Module(h + "attn.c_proj", "c_proj", l, Site.OUT, 0, C, q));
                m.add(new Module(h + "mlp.c_fc", "c_fc", l, Site.UP, 0, I, C));
                m.add(new Module(h + "mlp.c_proj", "c_proj", l, Site.DOWN, 0, C, I));
            } else {
                String h = "base_model.model.model.layers." + l + ".";
                m.add(new Module(h + "self_attn.q_proj", "q_proj", l, Site.QKV, 0, q, C));
                m.add(new Module(h + "self_attn.k_proj", "k_proj", l, Site.QKV, q, kv, C));
                m.add(new Module(h + "self_attn.v_proj", "v_proj", l, Site.QKV, q + kv, kv, C));
                m.add(new Module(h + "self_attn.o_proj", "o_proj", l, Site.OUT, 0, C, q));
                m.add(new Module(h + "mlp.gate_proj", "gate_proj", l, Site.UP, 0, I, C));
                m.add(new Module(h + "mlp.up_proj", "up_proj", l, Site.UP, I, I, C));
                m.add(new Module(h + "mlp.down_proj", "down_proj", l, Site.DOWN, 0, C, I));
            }
        }
        return m;
    }

    public List<Adapter> adapters() {
        return adapters;
    }

    /** A then B of every adapter, in module order: the trainable tensors. */
    public List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        for (Adapter a : adapters) {
            p.add(a.a);
            p.add(a.b);
        }
        return p;
    }

    /** The adapter tensors by their PEFT names (what adapter_model.safetensors holds). */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor t : parameters()) m.put(t.name, t);
        return m;
    }

    /** Called at the start of every training forward: a new dropout mask for each adapter. */
    void nextTrainingForward() {
        if (!maskHeld) forwardCounter++;
    }

    /** Keeps the current dropout masks for the following training forwards (finite-difference tests). */
    void holdDropoutMask(boolean held) {
        maskHeld = held;
    }

    /**
     * y[t, n] += scaling · (dropout(x)·Aᵀ)·Bᵀ on the rows of each adapter at (layer, site); x is [t, k]
     * (sizes in {@link MatMul}'s order: rows t, in k, out n).
     * Dropout applies only when training (PEFT's nn.Dropout is off in eval mode).
     */
    void forward(int layer, Site site, float[] y, float[] x, int t, int k, int n, boolean training) {
        int r = config.r();
        for (Adapter ad : bySite[layer][site.ordinal()]) {
            Module m = ad.module;
            float[] in = training && config.dropout() > 0 ? dropped(ad, x, t, k) : x;
            if (ad.u.length < t * r) ad.u = new float[t * r];
            MatMul.forward(ad.u, in, ad.a.data, null, t, k, r);
            if (delta.length < t * m.rows) delta = new float[t * m.rows];
            float[] d = delta;
            MatMul.forward(d, ad.u, ad.b.data, null, t, r, m.rows);
            float s = scale;
            Parallel.forRange(t, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    int yo = i * n + m.row0, dOff = i * m.rows;
                    for (int j = 0; j < m.rows; j++) y[yo + j] += d[dOff + j] * s;
                }
            });
        }
    }

    /**
     * Backward of {@link #forward} after a training forward (same sizes t, k, n): with g = scaling·dy[:, rows],
     * dB += gᵀ·u, du = g·B, dA += duᵀ·dropout(x), dx += dropout'(du·A).
     */
    void backward(int layer, Site site, float[] dx, float[] dy, float[] x, int t, int k, int n) {
        int r = config.r();
        for (Adapter ad : bySite[layer][site.ordinal()]) {
            Module m = ad.module;
            if (scaledDy.length < t * m.rows) scaledDy = new float[t * m.rows];
            float[] g = scaledDy;
            float s = scale;
            Parallel.forRange(t, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    int yo = i * n + m.row0, o = i * m.rows;
                    for (int j = 0; j < m.rows; j++) g[o + j] = dy[yo + j] * s;
                }
            });
            if (ad.b.isTrainable()) MatMul.backwardWeight(ad.b.grad, null, g, ad.u, t, r, m.rows);
            if (dU.length < t * r) dU = new float[t * r];
            float[] du = dU;
            Arrays.fill(du, 0, t * r, 0f);
            MatMul.backwardInput(du, g, ad.b.data, t, r, m.rows);
            boolean drop = config.dropout() > 0;
            float[] in = drop ? dropped(ad, x, t, k) : x;
            if (ad.a.isTrainable()) MatMul.backwardWeight(ad.a.grad, null, du, in, t, k, r);
            if (!drop) {
                MatMul.backwardInput(dx, du, ad.a.data, t, k, r);
                continue;
            }
            if (dDroppedX.length < t * k) dDroppedX = new float[t * k];
            float[] dd = dDroppedX;
            Arrays.fill(dd, 0, t * k, 0f);
            MatMul.backwardInput(dd, du, ad.a.data, t, k, r);
            maskApply(ad, t * k, (i, keep) -> dx[i] += dd[i] * keep);
        }
    }

    /** dropout(x) into a scratch buffer: x·keep/(1−p) or 0, with this forward's mask. */
    private float[] dropped(Adapter ad, float[] x, int t, int k) {
        if (droppedX.length < t * k) droppedX = new float[t * k];
        float[] out = droppedX;
        maskApply(ad, t * k, (i, keep) -> out[i] = x[i] * keep);
        return out;
    }

    private interface MaskOp {
        void apply(int i, float keep);
    }

    /** Calls op(i, 1/(1−p) or 0) for i < n; the mask is a pure function of (seed, forward, adapter, i). */
    private void maskApply(Adapter ad, int n, MaskOp op) {
        double p = config.dropout();
        float keepScale = (float) (1.0 / (1.0 - p));
        long base = mix(mix(seed ^ 0x4C6F5241L) + forwardCounter) + ad.index;
        long threshold = (long) (p * (1L << 53));
        Parallel.forRange(n, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                long z = mix(base + 0x9E3779B97F4A7C15L * (i + 1L)) >>> 11; // uniform in [0, 2^53)
                op.apply(i, z < threshold ? 0f : keepScale);
            }
        });
    }

    /** SplitMix64's finaliser (Steele, Lea &amp; Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Adds each adapter's ΔW = scaling·B·A into the base weights (canonical [out, in] rows of the fused
     * tensor), as PEFT's merge_and_unload does (for GPT-2's Conv1D PEFT adds ΔWᵀ to its [in, out] weight,
     * the same matrix). The weights must be FP32.
     */
    public void mergeInto(Map<String, Tensor> base) {
        int r = config.r();
        for (Adapter ad : adapters) {
            Module m = ad.module;
            Tensor w = base.get(ParamNames.layer(m.layer, m.site.weightName()));
            float[] a = ad.a.data, b = ad.b.data;
            Parallel.forRange(m.rows, (j0, j1) -> {
                float[] row = new float[m.in];
                for (int j = j0; j < j1; j++) {
                    Arrays.fill(row, 0f);
                    for (int q = 0; q < r; q++) {
                        float bj = b[j * r + q];
                        for (int c = 0; c < m.in; c++) row[c] += bj * a[q * m.in + c];
                    }
                    int o = (m.row0 + j) * m.in;
                    for (int c = 0; c < m.in; c++) w.data[o + c] += row[c] * scale;
                }
            });
        }
    }
}
