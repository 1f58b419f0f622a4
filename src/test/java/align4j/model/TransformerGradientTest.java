package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-model gradients of a 2-layer model of each family against central finite differences (Richardson-extrapolated) of
 * the forward pass: for every parameter tensor, the directional derivative along a random direction must
 * equal ∇L·u. L = Σ_j w_j·logp_j over a batch with plain and prefix-shared sequences.
 */
class TransformerGradientTest {
    static ModelConfig config(String name) {
        ObjectNode json = switch (name) {
            case "gpt2" -> TinyModels.gpt2();
            case "llama" -> TinyModels.llama().put("rope_theta", 500.0);
            case "qwen2" -> TinyModels.qwen2();
            // q/k norms on 4 query heads and 2 kv heads; with attention_bias also q/k/v/o biases
            case "qwen3" -> TinyModels.qwen3().put("rope_theta", 500.0);
            case "qwen3_attention_bias" -> TinyModels.qwen3().put("rope_theta", 500.0).put("attention_bias", true);
            default -> throw new IllegalArgumentException(name);
        };
        return TinyModels.config(json, name);
    }

    /** Random weights large enough that logits are far from uniform (so gradients are not tiny). */
    static Map<String, Tensor> weights(ModelConfig cfg, long seed) {
        return TinyModels.randomWeights(cfg, seed, 0.3);
    }

    static Batch batch(ModelConfig cfg) {
        SplittableRandom rnd = new SplittableRandom(7);
        BatchBuilder b = new BatchBuilder();
        b.addSequence(ids(rnd, cfg, 5), ids(rnd, cfg, 4));
        BatchBuilder.Prompt p = b.addPrompt(ids(rnd, cfg, 6));
        b.addCompletion(p, ids(rnd, cfg, 3));
        b.addCompletion(p, ids(rnd, cfg, 5));
        b.addScoredSequence(ids(rnd, cfg, 7), 1);
        return b.build();
    }

    static int[] ids(SplittableRandom rnd, ModelConfig cfg, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextInt(cfg.vocabSize());
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3", "qwen3_attention_bias"})
    void everyParameterGradientMatchesFiniteDifferences(String family) throws Exception {
        ModelConfig cfg = config(family);
        Map<String, Tensor> p = weights(cfg, 11);
        Transformer m = new Transformer(cfg, p);
        Batch b = batch(cfg);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] w = new float[b.targets().size()];
        for (int j = 0; j < w.length; j++) w[j] = (float) rnd.nextGaussian();

        for (Tensor t : m.parameters()) t.zeroGrad();
        m.logps(b, true);
        m.backwardLogps(w);

        for (Tensor t : m.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(rnd, t);
            double[] u = dir.u();
            double analytic = dir.analytic(), unorm = dir.squaredNorm();
            // Richardson extrapolation of central differences, (4·D(h/2) − D(h))/3, cancels the h² term:
            // attention softmaxes with these weights are curved enough that plain differences are off by ~10%.
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            rms = Math.sqrt(rms / t.data.length);
            // step relative to the tensor's scale: large enough to rise above float rounding of the loss
            double h = 5e-3 * Math.max(rms, 0.1) / Math.sqrt(unorm / u.length);
            double numeric = (4 * central(m, b, w, t, u, h / 2) - central(m, b, w, t, u, h)) / 3;
            double scale = Math.max(1e-2, Math.abs(numeric));
            assertEquals(numeric, analytic, 2e-2 * scale + 2e-3,
                    family + " " + t.name + ": analytic " + analytic + " vs numeric " + numeric);
        }
    }

    static double central(Transformer m, Batch b, float[] w, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + h * u[i]);
        double plus = ModelGradCheck.weightedLogps(m, b, w, false);
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] - h * u[i]);
        double minus = ModelGradCheck.weightedLogps(m, b, w, false);
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (plus - minus) / (2 * h);
    }

    /**
     * logps runs the last block past attention on the rows the head reads only; forwardHidden plus the head
     * runs it on every row. Log-probs and every gradient must agree bit for bit (products and norms are row
     * by row; the rows left out add exact zeros to the weight sums), with and without checkpointing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void lastBlockOnTheHeadsRowsOnlyGivesTheFullBlocksLogpsAndGradients(String family) throws Exception {
        ModelConfig cfg = config(family);
        Batch b = batch(cfg);
        long read = Arrays.stream(b.targets().rows()).distinct().count();
        // some rows unread (the prompts'), and more than MatMul's dot-product cut-off of 16 read
        assertTrue(read < b.size() && read > 16, read + " of " + b.size());
        SplittableRandom rnd = new SplittableRandom(4);
        float[] w = new float[b.targets().size()];
        for (int j = 0; j < w.length; j++) w[j] = (float) rnd.nextGaussian();
        for (boolean checkpointing : new boolean[] {false, true}) {
            Transformer m = new Transformer(cfg, weights(cfg, 12));
            m.setGradientCheckpointing(checkpointing);
            for (Tensor t : m.parameters()) t.zeroGrad();
            float[] logp = m.logps(b, true).logp();
            m.backwardLogps(w);
            Map<String, float[]> grads = new HashMap<>();
            for (Tensor t : m.parameters()) grads.put(t.name, t.grad.clone());

            for (Tensor t : m.parameters()) t.zeroGrad();
            float[] hidden = m.forwardHidden(b, true);
            float[] full = m.head().forward(hidden, b.targets(), b.size(), true).logp();
            float[] dHidden = new float[b.size() * cfg.hidden()];
            m.head().backward(w, dHidden);
            m.backwardHidden(dHidden);
            assertArrayEquals(full, logp, family + " logp, checkpointing " + checkpointing);
            for (Tensor t : m.parameters()) {
                assertArrayEquals(t.grad, grads.get(t.name), family + " " + t.name + ", checkpointing " + checkpointing);
            }
        }
    }

    /** A batch whose sequences have no loss token (SFT's masks can say so) runs and gives no log-probs. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void aBatchWithoutTargetsGivesNoLogps(String family) throws Exception {
        ModelConfig cfg = config(family);
        Transformer m = new Transformer(cfg, weights(cfg, 3));
        BatchBuilder bb = new BatchBuilder();
        bb.addMaskedSequence(ids(new SplittableRandom(2), cfg, 6), new boolean[6]);
        Batch b = bb.build();
        for (boolean train : new boolean[] {false, true}) assertEquals(0, m.logps(b, train).logp().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void prefixSharingGivesTheSameLogpsAsSeparateSequences(String family) throws Exception {
        ModelConfig cfg = config(family);
        Transformer m = new Transformer(cfg, weights(cfg, 5));
        SplittableRandom rnd = new SplittableRandom(9);
        int[] prompt = ids(rnd, cfg, 7), chosen = ids(rnd, cfg, 4), rejected = ids(rnd, cfg, 6);
        BatchBuilder shared = new BatchBuilder();
        BatchBuilder.Prompt p = shared.addPrompt(prompt);
        shared.addCompletion(p, chosen);
        shared.addCompletion(p, rejected);
        BatchBuilder plain = new BatchBuilder();
        plain.addSequence(prompt, chosen);
        plain.addSequence(prompt, rejected);
        Batch bs = shared.build(), bp = plain.build();
        double[] a = Transformer.sumPerSequence(m.logps(bs, false).logp(), bs.targets(), 2);
        double[] e = Transformer.sumPerSequence(m.logps(bp, false).logp(), bp.targets(), 2);
        assertEquals(e[0], a[0], 1e-4);
        assertEquals(e[1], a[1], 1e-4);
        assertTrue(bs.size() < bp.size());
    }
}
