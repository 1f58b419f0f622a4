package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Bf16;
import align4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA on the engine: adapter gradients against finite differences, exactness of the identities PEFT
 * relies on (B = 0 and adapters off give the base model; merging gives the adapter model), and the
 * memory options (checkpointing, bf16 weights) changing nothing.
 */
class LoraTest {
    static final LoraConfig ALL = new LoraConfig(3, 6, 0, List.of("all-linear"));

    /** B filled with noise so that every adapter, and A's gradient, matters. */
    static Lora randomLora(ModelConfig cfg, LoraConfig lc, long seed) {
        Lora lora = Lora.create(cfg, lc, seed);
        SplittableRandom rnd = new SplittableRandom(seed + 100);
        for (Lora.Adapter a : lora.adapters()) {
            for (int i = 0; i < a.b.data.length; i++) a.b.data[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        return lora;
    }

    static float[] weights(Batch b, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = new float[b.targets().size()];
        for (int j = 0; j < w.length; j++) w[j] = (float) rnd.nextGaussian();
        return w;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void adapterGradientsMatchFiniteDifferences(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Transformer m = new Transformer(cfg, TransformerGradientTest.weights(cfg, 11));
        Lora lora = randomLora(cfg, ALL, 4);
        m.setLora(lora);
        Batch b = TransformerGradientTest.batch(cfg);
        float[] w = weights(b, 3);
        for (Tensor t : m.parameters()) assertNull(t.grad, "base weights stay frozen");
        m.logps(b, true);
        m.backwardLogps(w);
        assertEquals(2 * (family.equals("gpt2") ? 4 : 7) * cfg.layers(), lora.parameters().size());
        SplittableRandom rnd = new SplittableRandom(5);
        for (Tensor t : lora.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(rnd, t);
            double[] u = dir.u();
            double analytic = dir.analytic(), unorm = dir.squaredNorm();
            double h = 2e-2 / Math.sqrt(unorm / u.length);
            double numeric = (4 * TransformerGradientTest.central(m, b, w, t, u, h / 2)
                    - TransformerGradientTest.central(m, b, w, t, u, h)) / 3;
            double scale = Math.max(1e-2, Math.abs(numeric));
            assertEquals(numeric, analytic, 2e-2 * scale + 2e-3, family + " " + t.name + ": analytic " + analytic
                    + " vs numeric " + numeric);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2", "qwen3"})
    void freshAdaptersAndDisabledAdaptersGiveExactlyTheBaseLogps(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Transformer m = new Transformer(cfg, TransformerGradientTest.weights(cfg, 2));
        Batch b = TransformerGradientTest.batch(cfg);
        float[] base = m.logps(b, false).logp().clone();
        m.setLora(Lora.create(cfg, ALL, 1)); // B = 0 as PEFT initialises it
        assertArrayEquals(base, m.logps(b, false).logp());
        m.setLora(randomLora(cfg, ALL, 1));
        float[] adapted = m.logps(b, false).logp().clone();
        assertNotEquals(base[0], adapted[0], "non-zero adapters change the model");
        m.setAdaptersEnabled(false);
        assertArrayEquals(base, m.logps(b, false).logp());
        m.setAdaptersEnabled(true);
        assertArrayEquals(adapted, m.logps(b, false).logp());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen3"})
    void mergedWeightsGiveTheAdapterModelsLogps(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Map<String, Tensor> p = TransformerGradientTest.weights(cfg, 2);
        Transformer m = new Transformer(cfg, p);
        Lora lora = randomLora(cfg, new LoraConfig(2, 16, 0, List.of("q_proj", "v_proj", "up_proj", "c_proj")), 7);
        m.setLora(lora);
        Batch b = TransformerGradientTest.batch(cfg);
        float[] adapted = m.logps(b, false).logp().clone();
        Map<String, Tensor> merged = TransformerGradientTest.weights(cfg, 2);
        lora.mergeInto(merged);
        float[] got = new Transformer(cfg, merged).logps(b, false).logp();
        for (int j = 0; j < got.length; j++) assertEquals(adapted[j], got[j], 2e-5 * (1 + Math.abs(adapted[j])), "target " + j);
        m.setAdaptersEnabled(false);
        assertNotEquals(adapted[0], m.logps(b, false).logp()[0], 1e-4, "the adapters matter here");
    }

    /** Gradients of every trainable tensor after one forward/backward with the given options. */
    static float[][] grads(String family, boolean checkpointing, boolean withLora, double dropout) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Transformer m = new Transformer(cfg, TransformerGradientTest.weights(cfg, 11));
        List<Tensor> trainable = m.parameters();
        if (withLora) {
            Lora lora = randomLora(cfg, new LoraConfig(3, 6, dropout, List.of("all-linear")), 4);
            m.setLora(lora);
            trainable = lora.parameters();
        } else {
            for (Tensor t : trainable) t.zeroGrad();
        }
        m.setGradientCheckpointing(checkpointing);
        Batch b = TransformerGradientTest.batch(cfg);
        m.logps(b, true);
        m.backwardLogps(weights(b, 3));
        float[][] g = new float[trainable.size()][];
        for (int i = 0; i < g.length; i++) g[i] = trainable.get(i).grad.clone();
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void gradientCheckpointingGivesBitIdenticalGradients(String family) throws Exception {
        float[][] full = grads(family, false, false, 0), ckpt = grads(family, true, false, 0);
        for (int i = 0; i < full.length; i++) assertArrayEquals(full[i], ckpt[i], "tensor " + i);
        // LoRA with dropout: the recomputed block must draw the forward's mask
        float[][] lf = grads(family, false, true, 0.3), lc = grads(family, true, true, 0.3);
        for (int i = 0; i < lf.length; i++) assertArrayEquals(lf[i], lc[i], "adapter tensor " + i);
        float[][] noDrop = grads(family, false, true, 0);
        assertNotEquals(noDrop[0][0], lf[0][0], "dropout changes the gradients");
    }

    @Test
    void dropoutActsOnlyInTrainingAndDrawsANewMaskEachForward() throws Exception {
        ModelConfig cfg = TransformerGradientTest.config("llama");
        Transformer m = new Transformer(cfg, TransformerGradientTest.weights(cfg, 11));
        m.setLora(randomLora(cfg, new LoraConfig(3, 6, 0.5, List.of("q_proj")), 4));
        Batch b = TransformerGradientTest.batch(cfg);
        float[] eval1 = m.logps(b, false).logp().clone();
        float[] train1 = m.logps(b, true).logp().clone();
        float[] train2 = m.logps(b, true).logp().clone();
        assertArrayEquals(eval1, m.logps(b, false).logp(), "no dropout at evaluation");
        assertNotEquals(eval1[3], train1[3]);
        assertNotEquals(train1[3], train2[3], "a new mask every training forward");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2"})
    void adapterGradientsWithDropoutMatchFiniteDifferencesUnderTheSameMask(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Transformer m = new Transformer(cfg, TransformerGradientTest.weights(cfg, 11));
        Lora lora = randomLora(cfg, new LoraConfig(3, 6, 0.4, List.of("all-linear")), 4);
        m.setLora(lora);
        Batch b = TransformerGradientTest.batch(cfg);
        float[] w = weights(b, 3);
        m.logps(b, true);
        m.backwardLogps(w);
        lora.holdDropoutMask(true);
        SplittableRandom rnd = new SplittableRandom(5);
        for (Tensor t : lora.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(rnd, t);
            double[] u = dir.u();
            double analytic = dir.analytic();
            double h = 1e-2;
            float[] saved = t.data.clone();
            double[] d = new double[2];
            for (int q = 0; q < 2; q++) {
                double hh = q == 0 ? h : h / 2;
                for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + hh * u[i]);
                double plus = ModelGradCheck.weightedLogps(m, b, w, true); // dropout on, with the held mask
                for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] - hh * u[i]);
                double minus = ModelGradCheck.weightedLogps(m, b, w, true);
                d[q] = (plus - minus) / (2 * hh);
            }
            System.arraycopy(saved, 0, t.data, 0, saved.length);
            double numeric = (4 * d[1] - d[0]) / 3;
            assertEquals(numeric, analytic, 2e-2 * Math.max(1e-2, Math.abs(numeric)) + 2e-3,
                    family + " " + t.name + ": analytic " + analytic + " vs numeric " + numeric);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "qwen2"})
    void bf16WeightsGiveTheLogpsAndGradientsOfFp32WeightsHoldingTheSameValues(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Map<String, Tensor> p1 = TransformerGradientTest.weights(cfg, 8), p2 = TransformerGradientTest.weights(cfg, 8);
        for (Map<String, Tensor> p : List.of(p1, p2)) {
            for (Tensor t : p.values()) for (int i = 0; i < t.data.length; i++) t.data[i] = Bf16.widen(Bf16.round(t.data[i]));
        }
        Transformer fp32 = new Transformer(cfg, p1), bf16 = new Transformer(cfg, p2);
        Lora l1 = randomLora(cfg, ALL, 3), l2 = randomLora(cfg, ALL, 3);
        fp32.setLora(l1);
        bf16.setLora(l2);
        bf16.holdFrozenWeightsAsBf16();
        assertNotNull(p2.get(ParamNames.EMBED).bf16);
        assertNull(p2.get(ParamNames.EMBED).data);
        Batch b = TransformerGradientTest.batch(cfg);
        assertArrayEquals(fp32.logps(b, false).logp(), bf16.logps(b, false).logp());
        BatchBuilder small = new BatchBuilder(); // ≤ 4 rows: the dot-product path
        small.addSequence(new int[] {1, 2}, new int[] {3});
        Batch s = small.build();
        assertArrayEquals(fp32.logps(s, false).logp(), bf16.logps(s, false).logp());
        float[] w = weights(b, 1);
        fp32.logps(b, true);
        fp32.backwardLogps(w);
        bf16.logps(b, true);
        bf16.backwardLogps(w);
        for (int i = 0; i < l1.parameters().size(); i++) {
            assertArrayEquals(l1.parameters().get(i).grad, l2.parameters().get(i).grad, l1.parameters().get(i).name);
        }
    }
}
