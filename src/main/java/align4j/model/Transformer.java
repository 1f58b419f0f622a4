package align4j.model;

import align4j.tensor.Attention;
import align4j.tensor.DecodeAttention;
import align4j.tensor.Embedding;
import align4j.tensor.Gelu;
import align4j.tensor.LayerNorm;
import align4j.tensor.MatMul;
import align4j.tensor.Parallel;
import align4j.tensor.RmsNorm;
import align4j.tensor.Rope;
import align4j.tensor.Softmax;
import align4j.tensor.SwiGlu;
import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One decoder-only transformer whose parts vary by {@link ModelConfig.Family} (not a class per family):
 * GPT-2 (LayerNorm with bias, learned positions, GELU-tanh, biases) and Llama/Mistral/Qwen2/Qwen3 (RMSNorm,
 * RoPE, SwiGLU, grouped-query attention, optional q/k/v bias; Qwen3 adds an RMSNorm on each q and k head
 * before RoPE, {@link QkNorm}). Pre-norm blocks as in both HF models: h = x + attn(norm1(x)); out = h + mlp(norm2(h)).
 *
 * <p>Forward and backward are explicit, llm.c style: {@link #forwardHidden} keeps the activations that
 * {@link #backwardHidden} needs in reusable buffers; the LM head runs only at the batch's target rows
 * ({@link LmHead}). Parameters use the canonical names listed in {@link ParamNames}.
 *
 * <p>Every linear layer of a block runs through {@link #project} / {@link #projectBackward}: the base
 * product plus, when attached and enabled, the {@link Lora} adapters on that projection. Opt-in
 * activation checkpointing keeps only each block's input and recomputes the block in backward.
 */
public final class Transformer {
    public final ModelConfig cfg;
    private final Map<String, Tensor> params;
    private final Tensor embed, posEmbed, finalNormW, finalNormB;
    private final Layer[] layers;
    private final Rope rope;
    private final LmHead head;
    private final boolean gpt2;
    private Activations acts;
    private Batch lastBatch;
    private boolean lastKept;
    /** Rows whose final hidden state the last forward computed, ascending; null when it computed them all. */
    private int[] lastRows;
    private Lora lora;
    private boolean adaptersEnabled = true;
    private boolean gradientCheckpointing;

    /** One block's parameters; biases, LayerNorm shifts and q/k norms are null where the family has none. */
    private record Layer(int index, Tensor norm1W, Tensor norm1B, Tensor qNormW, Tensor kNormW, Tensor norm2W,
                         Tensor norm2B, EnumMap<Lora.Site, Projection> projections) {
        Projection at(Lora.Site site) {
            return projections.get(site);
        }
    }

    /** One of a block's four linear layers: weight [out, in] and its bias (null where the family has none). */
    private record Projection(Tensor weight, Tensor bias) {}

    public Transformer(ModelConfig cfg, Map<String, Tensor> params) {
        this.cfg = cfg;
        this.params = params;
        this.gpt2 = cfg.family() == ModelConfig.Family.GPT2;
        int c = cfg.hidden(), v = cfg.vocabSize();
        embed = require(ParamNames.EMBED, v, c);
        posEmbed = gpt2 ? require(ParamNames.POS_EMBED, cfg.maxPositions(), c) : null;
        finalNormW = require(ParamNames.FINAL_NORM_W, c);
        finalNormB = gpt2 ? require(ParamNames.FINAL_NORM_B, c) : null;
        layers = new Layer[cfg.layers()];
        int hd = cfg.heads() * cfg.headDim();
        for (int l = 0; l < layers.length; l++) {
            EnumMap<Lora.Site, Projection> proj = new EnumMap<>(Lora.Site.class);
            Tensor norm1W = require(ParamNames.layer(l, "attn_norm.weight"), c);
            Tensor norm1B = gpt2 ? require(ParamNames.layer(l, "attn_norm.bias"), c) : null;
            proj.put(Lora.Site.QKV, projection(l, Lora.Site.QKV, cfg.qkvDim(), c, cfg.qkvBias()));
            proj.put(Lora.Site.OUT, projection(l, Lora.Site.OUT, c, hd, cfg.outBias()));
            Tensor qNormW = cfg.qkNorm() ? require(ParamNames.layer(l, "q_norm.weight"), cfg.headDim()) : null;
            Tensor kNormW = cfg.qkNorm() ? require(ParamNames.layer(l, "k_norm.weight"), cfg.headDim()) : null;
            Tensor norm2W = require(ParamNames.layer(l, "mlp_norm.weight"), c);
            Tensor norm2B = gpt2 ? require(ParamNames.layer(l, "mlp_norm.bias"), c) : null;
            proj.put(Lora.Site.UP, projection(l, Lora.Site.UP, cfg.upDim(), c, cfg.mlpBias()));
            proj.put(Lora.Site.DOWN, projection(l, Lora.Site.DOWN, c, cfg.intermediate(), cfg.mlpBias()));
            layers[l] = new Layer(l, norm1W, norm1B, qNormW, kNormW, norm2W, norm2B, proj);
        }
        // A sequence classifier (reward model) has no LM head; only forwardHidden is available then.
        Tensor headW = cfg.tiedEmbeddings() ? embed : params.containsKey(ParamNames.LM_HEAD) ? require(ParamNames.LM_HEAD, v, c) : null;
        head = headW == null ? null : new LmHead(headW, c);
        rope = gpt2 ? null : new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling());
    }

    /** Layer l's projection at a site: weight [out, in] and, when hasBias, bias [out]. */
    private Projection projection(int l, Lora.Site site, int out, int in, boolean hasBias) {
        Tensor w = require(ParamNames.layer(l, site.weightName()), out, in);
        return new Projection(w, hasBias ? require(ParamNames.layer(l, site.biasName()), out) : null);
    }

    private Tensor require(String name, int... shape) {
        Tensor t = params.get(name);
        if (t == null) throw new ModelFormatException("model is missing tensor '" + name + "' (" + cfg.modelType() + ")");
        if (!Arrays.equals(t.shape, shape)) {
            throw new ModelFormatException("tensor '" + name + "' has shape " + Arrays.toString(t.shape)
                    + ", config.json implies " + Arrays.toString(shape));
        }
        return t;
    }

    /** Every parameter once (the tied head is the embedding), in a fixed order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(new LinkedHashMap<>(params).values());
    }

    public Map<String, Tensor> parameterMap() {
        return params;
    }

    /** The LM head, or null for a model without one (a reward model's backbone). */
    public LmHead head() {
        return head;
    }

    /** Attaches LoRA adapters (null detaches them); they apply in every forward while enabled. */
    public void setLora(Lora lora) {
        if (lora != null && !lora.modelConfig.equals(cfg)) throw new IllegalArgumentException("the adapters were made for another model config");
        this.lora = lora;
    }

    public Lora lora() {
        return lora;
    }

    /** With adapters off the model is its base (PEFT's disable_adapter()): the DPO reference. */
    public void setAdaptersEnabled(boolean enabled) {
        this.adaptersEnabled = enabled;
    }

    /**
     * HF's gradient_checkpointing: a training forward keeps only each block's input, and backward
     * recomputes one block at a time before differentiating it (Chen et al. 2016, "Training deep nets
     * with sublinear memory cost"). The kernels are deterministic, so gradients are bit-identical.
     */
    public void setGradientCheckpointing(boolean on) {
        this.gradientCheckpointing = on;
    }

    /**
     * Holds every frozen matrix (block projections, embedding/LM head) as bfloat16 (--weights-dtype bf16):
     * half the memory; products still run and accumulate in FP32. Norms and biases stay FP32 (tiny).
     */
    public void holdFrozenWeightsAsBf16() {
        List<Tensor> mats = new ArrayList<>(List.of(embed));
        if (head != null) mats.add(head.weight()); // a reward model's backbone has none
        for (Layer p : layers) for (Projection q : p.projections().values()) mats.add(q.weight());
        for (Tensor t : mats) if (!t.isTrainable()) t.toBf16();
    }

    /**
     * Runs the blocks and the final norm over a packed batch; returns the normalised hidden states
     * [rows, C] (owned by this model, valid until the next forward). With {@code forTraining} every
     * layer's activations are kept for {@link #backwardHidden}; without, buffers are reused layer to
     * layer (the reference model and generation need no backward).
     */
    public float[] forwardHidden(Batch batch, boolean forTraining) {
        return forwardHidden(batch, forTraining, null);
    }

    /**
     * {@link #forwardHidden} computing the final hidden state only at {@code keep} (ascending distinct rows;
     * null for all): the last block needs every row's keys and values but, past them, only the rows a
     * head reads, so its attention output, out projection, MLP and the final norm run on those rows alone
     * ({@link #lastLayerForward}). Hidden rows outside keep are left as they were.
     */
    private float[] forwardHidden(Batch batch, boolean forTraining, int[] keep) {
        int t = batch.size(), c = cfg.hidden();
        for (int tok : batch.tokens()) {
            if (tok < 0 || tok >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + tok + " is outside the model's vocabulary [0, "
                        + cfg.vocabSize() + ")");
            }
        }
        if (gpt2) {
            for (int p : batch.positions()) {
                if (p >= cfg.maxPositions()) {
                    throw new IllegalArgumentException("position " + p + " exceeds the model's n_positions "
                            + cfg.maxPositions());
                }
            }
        }
        boolean checkpointed = forTraining && gradientCheckpointing;
        if (acts == null || acts.rows < t || (forTraining && (!acts.train || acts.checkpointed != checkpointed))) {
            int rows = acts == null || acts.rows >= t ? t : Math.max(t, acts.rows + acts.rows / 4);
            acts = null; // let the old buffers go before allocating the new ones
            acts = new Activations(cfg, rows, forTraining, checkpointed);
        }
        Activations a = acts;
        if (forTraining && lora != null) lora.nextTrainingForward();
        Embedding.forward(a.res[0], batch.tokens(), embed, batch.positions(), gpt2 ? posEmbed.data : null, t, c);
        for (int l = 0; l < layers.length; l++) {
            int s = forTraining && !a.checkpointed ? l : 0;
            float[] in = forTraining ? a.res[l] : a.res[0];
            float[] out = forTraining ? a.res[l + 1] : a.res[0];
            if (keep != null && l == layers.length - 1) lastLayerForward(layers[l], batch, a, s, in, t, keep, forTraining);
            else layerForward(layers[l], batch, a, s, in, out, t, forTraining);
        }
        a.slotLayer = layers.length - 1;
        if (keep == null) {
            float[] last = forTraining ? a.res[layers.length] : a.res[0];
            norm(a.hidden, a.finalMean, a.finalRstd, last, finalNormW, finalNormB, t);
        } else {
            norm(a.tmpC, a.finalMean, a.finalRstd, a.keepOut, finalNormW, finalNormB, keep.length);
            scatterRows(a.hidden, a.tmpC, keep, c);
        }
        lastBatch = batch;
        lastKept = forTraining;
        lastRows = keep;
        return a.hidden;
    }

    /**
     * The last block when only the rows {@code keep} are read after it: norm, qkv projection and attention
     * over all t rows (every key and value is needed), then the kept rows' attention outputs gathered and
     * the rest of the block run on those n rows, packed: keepAtt, resMid, ln2, up, act hold them at
     * their first n rows, and keepOut the block's output. Each kept row's values are bit for bit those
     * of the full block (products and norms are row by row; MatMul.forward on at most DOT_ROWS rows
     * sums in another order, within float rounding).
     */
    private void lastLayerForward(Layer p, Batch b, Activations a, int s, float[] in, int t, int[] keep, boolean training) {
        int c = cfg.hidden(), n = keep.length;
        attentionForward(p, b, a, s, in, t, training);
        gatherRows(a.keepAtt, a.att[s], keep, cfg.heads() * cfg.headDim());
        project(a.tmpC, a.keepAtt, p, Lora.Site.OUT, n, training);
        gatherRows(a.resMid[s], in, keep, c);
        add(a.resMid[s], a.resMid[s], a.tmpC, n * c);
        mlpForward(p, a, s, a.keepOut, n, training);
    }

    /**
     * Backward of {@link #lastLayerForward} and the final norm on the kept rows: dHidden's kept rows through
     * the packed part, the attention output's gradient scattered to its rows (zero elsewhere, so the other
     * rows' queries add nothing), then attention and the qkv projection over all rows. Leaves the block
     * input's gradient in dres (zero on entry).
     */
    private void lastLayerBackward(Layer p, Batch b, Activations a, int s, int l, float[] dHidden, int[] keep) {
        int t = b.size(), c = cfg.hidden(), hd = cfg.heads() * cfg.headDim(), n = keep.length;
        float[] g = a.keepGrad;
        gatherRows(a.dLn, dHidden, keep, c);
        zero(g, n * c);
        normBackward(g, finalNormW, finalNormB, a.dLn, a.keepOut, a.finalMean, a.finalRstd, n);
        mlpBackward(p, a, s, g, n);
        // the kept rows' dAtt, packed in dQkv's first rows, then spread over the full dAtt
        projectBackward(a.dQkv, g, a.keepAtt, p, Lora.Site.OUT, n);
        zero(a.dAtt, t * hd);
        scatterRows(a.dAtt, a.dQkv, keep, hd);
        scatterRows(a.dres, g, keep, c);
        attentionBackward(p, b, a, s, l, a.dres, t);
    }

    /** dst[j·w …] = src[rows[j]·w …] for j &lt; rows.length, w floats per row. */
    private static void gatherRows(float[] dst, float[] src, int[] rows, int w) {
        Parallel.forRange(rows.length, (j0, j1) -> {
            for (int j = j0; j < j1; j++) System.arraycopy(src, rows[j] * w, dst, j * w, w);
        });
    }

    /** dst[rows[j]·w …] = src[j·w …] for j &lt; rows.length (rows distinct). */
    private static void scatterRows(float[] dst, float[] src, int[] rows, int w) {
        Parallel.forRange(rows.length, (j0, j1) -> {
            for (int j = j0; j < j1; j++) System.arraycopy(src, j * w, dst, rows[j] * w, w);
        });
    }

    private void layerForward(Layer p, Batch b, Activations a, int s, float[] in, float[] out, int t, boolean training) {
        attentionForward(p, b, a, s, in, t, training);
        project(a.tmpC, a.att[s], p, Lora.Site.OUT, t, training);
        add(a.resMid[s], in, a.tmpC, t * cfg.hidden());
        mlpForward(p, a, s, out, t, training);
    }

    /** A block's first part over all t rows: norm1, the qkv projection (the q/k norms, RoPE), attention into att[s]. */
    private void attentionForward(Layer p, Batch b, Activations a, int s, float[] in, int t, boolean training) {
        int h = cfg.heads(), kv = cfg.kvHeads(), d = cfg.headDim(), q = cfg.qkvDim();
        norm(a.ln1[s], a.ln1Mean[s], a.ln1Rstd[s], in, p.norm1W, p.norm1B, t);
        project(a.qkv[s], a.ln1[s], p, Lora.Site.QKV, t, training);
        if (p.qNormW != null) {
            QkNorm.forward(a.qkv[s], a.qNormIn[s], a.qNormRstd[s], a.kNormIn[s], a.kNormRstd[s], a.qkTmp, p.qNormW,
                    p.kNormW, t, h, kv, d, cfg.normEps());
        }
        if (rope != null) rope.forward(a.qkv[s], b.positions(), t, q, h + kv);
        Attention.forward(a.att[s], a.lse[s], a.qkv[s], b.mask(), t, h, kv, d);
    }

    /** A block's MLP half on the first n rows of resMid[s]: out = resMid + down(act(up(norm2(resMid)))). */
    private void mlpForward(Layer p, Activations a, int s, float[] out, int n, boolean training) {
        norm(a.ln2[s], a.ln2Mean[s], a.ln2Rstd[s], a.resMid[s], p.norm2W, p.norm2B, n);
        project(a.up[s], a.ln2[s], p, Lora.Site.UP, n, training);
        if (gpt2) Gelu.forward(a.act[s], a.up[s], n * cfg.intermediate());
        else SwiGlu.forward(a.act[s], a.up[s], n, cfg.intermediate());
        project(a.tmpC, a.act[s], p, Lora.Site.DOWN, n, training);
        add(out, a.resMid[s], a.tmpC, n * cfg.hidden());
    }

    /** Backward of {@link #mlpForward}: dres holds ∂L/∂out on entry (out = resMid + …) and gains the MLP's path. */
    private void mlpBackward(Layer p, Activations a, int s, float[] dres, int n) {
        int inter = cfg.intermediate();
        projectBackward(a.dAct, dres, a.act[s], p, Lora.Site.DOWN, n);
        zero(a.dUp, n * cfg.upDim());
        if (gpt2) Gelu.backward(a.dUp, a.dAct, a.up[s], n * inter);
        else SwiGlu.backward(a.dUp, a.dAct, a.up[s], n, inter);
        projectBackward(a.dLn, a.dUp, a.ln2[s], p, Lora.Site.UP, n);
        normBackward(dres, p.norm2W, p.norm2B, a.dLn, a.resMid[s], a.ln2Mean[s], a.ln2Rstd[s], n);
    }

    /** Backward of {@link #attentionForward} from dAtt over all t rows: dres gains the gradient at the block input res[l]. */
    private void attentionBackward(Layer p, Batch b, Activations a, int s, int l, float[] dres, int t) {
        int h = cfg.heads(), kv = cfg.kvHeads(), d = cfg.headDim(), q = cfg.qkvDim();
        zero(a.dQkv, t * q);
        Attention.backward(a.dQkv, a.dAtt, a.att[s], a.lse[s], a.qkv[s], b.mask(), t, h, kv, d);
        if (rope != null) rope.backward(a.dQkv, b.positions(), t, q, h + kv);
        if (p.qNormW != null) {
            QkNorm.backward(a.dQkv, a.qNormIn[s], a.qNormRstd[s], a.kNormIn[s], a.kNormRstd[s], a.qkTmp, a.dQkIn,
                    p.qNormW, p.kNormW, t, h, kv, d);
        }
        projectBackward(a.dLn, a.dQkv, a.ln1[s], p, Lora.Site.QKV, t);
        normBackward(dres, p.norm1W, p.norm1B, a.dLn, a.res[l], a.ln1Mean[s], a.ln1Rstd[s], t);
    }

    /**
     * y[t, out] = x[t, in]·Wᵀ + b for one of a block's projections, plus the LoRA adapters on it when
     * attached and enabled (PEFT: base(x) + lora_B(lora_A(dropout(x)))·α/r; dropout only when training).
     */
    private void project(float[] y, float[] x, Layer p, Lora.Site site, int t, boolean training) {
        Projection q = p.at(site);
        Tensor w = q.weight();
        int n = w.shape[0], k = w.shape[1];
        MatMul.forward(y, x, w, bias(q.bias()), t, k, n);
        if (lora != null && adaptersEnabled) lora.forward(p.index, site, y, x, t, k, n, training);
    }

    /**
     * Backward of {@link #project}: dx = dy·W (+ the adapters' path), overwriting dx; trainable W, b and
     * adapters get gradients.
     */
    private void projectBackward(float[] dx, float[] dy, float[] x, Layer p, Lora.Site site, int t) {
        Projection q = p.at(site);
        Tensor w = q.weight();
        int n = w.shape[0], k = w.shape[1];
        MatMul.backwardInputInto(dx, dy, w, t, k, n);
        weightGrad(w, q.bias(), dy, x, t, k, n);
        if (lora != null && adaptersEnabled) lora.backward(p.index, site, dx, dy, x, t, k, n);
    }

    /**
     * Backpropagates dHidden (∂L/∂ of the hidden states {@link #forwardHidden} returned) through the
     * final norm, every block and the embeddings, accumulating into the gradients of trainable tensors
     * (those whose {@code grad} is non-null). dHidden is left unchanged.
     */
    public void backwardHidden(float[] dHidden) {
        if (lastBatch == null || !lastKept) {
            throw new IllegalStateException("backward needs a preceding forwardHidden(batch, true)");
        }
        Batch b = lastBatch;
        Activations a = acts;
        int t = b.size(), c = cfg.hidden();
        float[] dres = a.dres;
        zero(dres, t * c);
        if (lastRows == null) normBackward(dres, finalNormW, finalNormB, dHidden, a.res[layers.length], a.finalMean, a.finalRstd, t);
        for (int l = layers.length - 1; l >= 0; l--) {
            Layer p = layers[l];
            int s = a.checkpointed ? 0 : l;
            if (lastRows != null && l == layers.length - 1) {
                // forward ran this block on the kept rows only
                if (a.checkpointed && a.slotLayer != l) lastLayerForward(p, b, a, 0, a.res[l], t, lastRows, true);
                a.slotLayer = l;
                lastLayerBackward(p, b, a, s, l, dHidden, lastRows);
                continue;
            }
            if (a.checkpointed && a.slotLayer != l) {
                // recompute block l from its kept input; its output (already in res[l+1]) goes to scratch
                layerForward(p, b, a, 0, a.res[l], a.tmpC, t, true);
                a.slotLayer = l;
            }
            // out = resMid + down(act): dres flows unchanged into resMid
            mlpBackward(p, a, s, dres, t);
            // resMid = in + out(att)
            projectBackward(a.dAtt, dres, a.att[s], p, Lora.Site.OUT, t);
            attentionBackward(p, b, a, s, l, dres, t);
        }
        Embedding.backward(embed.grad, gpt2 ? posEmbed.grad : null, dres, b.tokens(), b.positions(), t, c);
    }

    /**
     * Forward through the blocks and the LM head at the batch's targets (see {@link LmHead#forward}); the last
     * block runs past attention on the target rows only ({@link #lastLayerForward}), so the hidden states of
     * other rows are not computed.
     */
    public LmHead.Result logps(Batch batch, boolean forTraining) {
        if (head == null) {
            throw new ModelFormatException("this " + cfg.modelType() + " model has no LM head (lm_head.weight); "
                    + "a sequence-classification (reward) model gives scores, not log-probabilities");
        }
        float[] hidden = forwardHidden(batch, forTraining, targetRows(batch));
        return head.forward(hidden, batch.targets(), batch.size(), forTraining);
    }

    /**
     * The distinct rows the head reads, ascending; null when that is every row (then the last block runs in
     * full).
     */
    private static int[] targetRows(Batch batch) {
        int t = batch.size();
        boolean[] read = new boolean[t];
        int n = 0;
        for (int r : batch.targets().rows()) {
            if (!read[r]) n++;
            read[r] = true;
        }
        if (n == t) return null;
        int[] rows = new int[n];
        for (int r = 0, j = 0; r < t; r++) if (read[r]) rows[j++] = r;
        return rows;
    }

    /** Backward from ∂L/∂logp at each target through the head and the blocks. */
    public void backwardLogps(float[] dlogp) {
        float[] dHidden = acts.dHidden;
        zero(dHidden, lastBatch.size() * cfg.hidden());
        head.backward(dlogp, dHidden);
        backwardHidden(dHidden);
    }

    /** Sums token log-probs into one value per sequence, in double and in target order. */
    public static double[] sumPerSequence(float[] tokenLogps, Batch.Targets targets, int sequences) {
        double[] s = new double[sequences];
        for (int j = 0; j < targets.size(); j++) s[targets.seq()[j]] += tokenLogps[j];
        return s;
    }

    /**
     * Incremental forward (decoding with a KV cache): runs {@code n} new tokens through the blocks, token i
     * belonging to the sequence in cache slot {@code slots[i]} at the slot's next position. Each block
     * projects all n rows together (one [n, C] product per projection, as {@link #forwardHidden} does),
     * appends their keys and values to their slots' caches, and attends each row over its own slot's
     * positions up to its own ({@link DecodeAttention}). A prompt is prefilled by passing all its tokens
     * at once; several sequences may be prefilled and decoded in the same call. Rows of one slot must be
     * in position order. Returns the final-normed hidden states [n, C] (owned by the cache, valid until
     * its next step); {@link #logitsAt} turns chosen rows into next-token logits.
     */
    public float[] forwardCached(KvCache kv, int[] tokens, int[] slots, int n) {
        int c = cfg.hidden();
        kv.ensureRows(n);
        for (int i = 0; i < n; i++) {
            int tok = tokens[i];
            if (tok < 0 || tok >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + tok + " is outside the model's vocabulary [0, "
                        + cfg.vocabSize() + ")");
            }
        }
        // checked before any slot advances, so a refused call leaves the cache as it was
        int[] grown = kv.length.clone();
        for (int i = 0; i < n; i++) {
            int pos = grown[slots[i]]++;
            if (gpt2 && pos >= cfg.maxPositions()) {
                throw new IllegalArgumentException("position " + pos + " exceeds the model's n_positions " + cfg.maxPositions());
            }
            kv.positions[i] = pos;
            kv.visible[i] = pos + 1;
        }
        for (int s = 0; s < grown.length; s++) {
            if (grown[s] != kv.length[s]) kv.reserve(s, grown[s]);
            kv.length[s] = grown[s];
        }
        Embedding.forward(kv.res, tokens, embed, kv.positions, gpt2 ? posEmbed.data : null, n, c);
        for (int l = 0; l < layers.length; l++) layerCached(layers[l], l, kv, slots, n);
        norm(kv.hidden, kv.mean, kv.rstd, kv.res, finalNormW, finalNormB, n);
        return kv.hidden;
    }

    /**
     * One block of {@link #forwardCached}: layerForward's steps with cached attention in place of the packed
     * one; the projections go through {@link #project}, so attached LoRA adapters apply while decoding too.
     */
    private void layerCached(Layer p, int l, KvCache kv, int[] slots, int n) {
        int c = cfg.hidden(), h = cfg.heads(), kvh = cfg.kvHeads(), d = cfg.headDim(), q = cfg.qkvDim();
        norm(kv.ln, kv.mean, kv.rstd, kv.res, p.norm1W, p.norm1B, n);
        project(kv.qkv, kv.ln, p, Lora.Site.QKV, n, false);
        if (p.qNormW != null) {
            QkNorm.forward(kv.qkv, kv.qkIn, kv.qkRstd, kv.qkIn, kv.qkRstd, kv.qkTmp, p.qNormW, p.kNormW, n, h, kvh, d,
                    cfg.normEps());
        }
        if (rope != null) rope.forward(kv.qkv, kv.positions, n, q, h + kvh);
        for (int i = 0; i < n; i++) {
            int s = slots[i], at = kv.positions[i] * kv.kvDim;
            kv.rowKeys[i] = kv.keys[s][l];
            kv.rowValues[i] = kv.values[s][l];
            System.arraycopy(kv.qkv, i * q + h * d, kv.rowKeys[i], at, kv.kvDim);
            System.arraycopy(kv.qkv, i * q + (h + kvh) * d, kv.rowValues[i], at, kv.kvDim);
        }
        DecodeAttention.forward(kv.att, kv.qkv, kv.rowKeys, kv.rowValues, kv.visible, n, h, kvh, d);
        project(kv.tmp, kv.att, p, Lora.Site.OUT, n, false);
        add(kv.mid, kv.res, kv.tmp, n * c);
        norm(kv.ln, kv.mean, kv.rstd, kv.mid, p.norm2W, p.norm2B, n);
        project(kv.up, kv.ln, p, Lora.Site.UP, n, false);
        if (gpt2) Gelu.forward(kv.act, kv.up, n * cfg.intermediate());
        else SwiGlu.forward(kv.act, kv.up, n, cfg.intermediate());
        project(kv.tmp, kv.act, p, Lora.Site.DOWN, n, false);
        add(kv.res, kv.mid, kv.tmp, n * c);
    }

    /**
     * Full-vocabulary next-token logits out[j, V] = hidden[rows[j]]·W_headᵀ for j &lt; r (hidden as
     * {@link #forwardCached} or {@link #forwardHidden} returned it, [·, C]).
     */
    public void logitsAt(float[] out, float[] hidden, int[] rows, int r) {
        int c = cfg.hidden();
        float[] x = new float[r * c];
        for (int j = 0; j < r; j++) System.arraycopy(hidden, rows[j] * c, x, j * c, c);
        MatMul.forward(out, x, head.weight(), null, r, c, head.vocab());
    }

    /** As {@link #logitsAt}, then each row turned into log-probabilities: out[j, ·] = log softmax(logits[j, ·]). */
    public void logSoftmaxAt(float[] out, float[] hidden, int[] rows, int r) {
        logitsAt(out, hidden, rows, r);
        int v = head.vocab();
        for (int j = 0; j < r; j++) Softmax.logForward(out, j * v, out, j * v, v);
    }

    private void norm(float[] out, float[] mean, float[] rstd, float[] x, Tensor w, Tensor b, int t) {
        if (gpt2) LayerNorm.forward(out, mean, rstd, x, w.data, b.data, t, cfg.hidden(), cfg.normEps());
        else RmsNorm.forward(out, rstd, x, w.data, t, cfg.hidden(), cfg.normEps());
    }

    private void normBackward(float[] dx, Tensor w, Tensor b, float[] dout, float[] x, float[] mean, float[] rstd, int t) {
        if (gpt2) LayerNorm.backward(dx, w.grad, b.grad, dout, x, w.data, mean, rstd, t, cfg.hidden());
        else RmsNorm.backward(dx, w.grad, dout, x, w.data, rstd, t, cfg.hidden());
    }

    private static void weightGrad(Tensor w, Tensor b, float[] dy, float[] x, int m, int k, int n) {
        if (w.isTrainable()) MatMul.backwardWeight(w.grad, b == null ? null : b.grad, dy, x, m, k, n);
    }

    private static float[] bias(Tensor b) {
        return b == null ? null : b.data;
    }

    static void zero(float[] a, int n) {
        Parallel.forRange(n, (s, e) -> Arrays.fill(a, s, e, 0f));
    }

    private static void add(float[] out, float[] x, float[] y, int n) {
        Parallel.forRange(n, (s, e) -> {
            for (int i = s; i < e; i++) out[i] = x[i] + y[i];
        });
    }

    /**
     * Activation and gradient buffers for up to {@code rows} tokens, allocated once and reused. Training
     * keeps every block's input (res) and, unless checkpointed, every block's activations (one slot per
     * layer); checkpointed, one slot holds the block {@code slotLayer} last computed.
     */
    private static final class Activations {
        final int rows;
        final boolean train, checkpointed;
        int slotLayer = -1;
        final float[][] res, ln1, ln1Mean, ln1Rstd, qkv, att, lse, resMid, ln2, ln2Mean, ln2Rstd, up, act;
        /** Qwen3's q and k heads before their norms and the norms' rstd ({@link QkNorm}); null rows otherwise. */
        final float[][] qNormIn, qNormRstd, kNormIn, kNormRstd;
        /** QkNorm's scratch [rows·H·D], and its backward's second one; null without q/k norms. */
        final float[] qkTmp, dQkIn;
        final float[] hidden, finalMean, finalRstd, tmpC;
        /** The last block's kept rows, packed ({@link #lastLayerForward}): attention output, block output, dres. */
        final float[] keepAtt, keepOut, keepGrad;
        final float[] dres, dAct, dUp, dLn, dAtt, dQkv, dHidden;

        Activations(ModelConfig cfg, int rows, boolean train, boolean checkpointed) {
            this.rows = rows;
            this.train = train;
            this.checkpointed = checkpointed;
            int slots = train && !checkpointed ? cfg.layers() : 1;
            int c = cfg.hidden(), hd = cfg.heads() * cfg.headDim();
            boolean ln = cfg.family() == ModelConfig.Family.GPT2;
            res = new float[train ? cfg.layers() + 1 : 1][rows * c];
            ln1 = new float[slots][rows * c];
            ln1Mean = ln ? new float[slots][rows] : new float[slots][];
            ln1Rstd = new float[slots][rows];
            qkv = new float[slots][rows * cfg.qkvDim()];
            att = new float[slots][rows * hd];
            lse = new float[slots][rows * cfg.heads()];
            resMid = new float[slots][rows * c];
            ln2 = new float[slots][rows * c];
            ln2Mean = ln ? new float[slots][rows] : new float[slots][];
            ln2Rstd = new float[slots][rows];
            up = new float[slots][rows * cfg.upDim()];
            act = new float[slots][rows * cfg.intermediate()];
            boolean qk = cfg.qkNorm();
            int kvd = cfg.kvHeads() * cfg.headDim();
            qNormIn = qk ? new float[slots][rows * hd] : new float[slots][];
            qNormRstd = qk ? new float[slots][rows * cfg.heads()] : new float[slots][];
            kNormIn = qk ? new float[slots][rows * kvd] : new float[slots][];
            kNormRstd = qk ? new float[slots][rows * cfg.kvHeads()] : new float[slots][];
            qkTmp = qk ? new float[rows * hd] : null;
            dQkIn = qk && train ? new float[rows * hd] : null;
            hidden = new float[rows * c];
            finalMean = ln ? new float[rows] : null;
            finalRstd = new float[rows];
            tmpC = new float[rows * c];
            keepAtt = new float[rows * hd];
            keepOut = new float[rows * c];
            keepGrad = train ? new float[rows * c] : null;
            dres = train ? new float[rows * c] : null;
            dAct = train ? new float[rows * cfg.intermediate()] : null;
            dUp = train ? new float[rows * cfg.upDim()] : null;
            dLn = train ? new float[rows * c] : null;
            dAtt = train ? new float[rows * hd] : null;
            dQkv = train ? new float[rows * cfg.qkvDim()] : null;
            dHidden = train ? new float[rows * c] : null;
        }
    }
}
