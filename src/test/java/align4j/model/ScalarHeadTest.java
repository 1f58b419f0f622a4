package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ScalarHead's backward against central finite differences of its forward, alone (L = Σ_j g_j·out_j,
 * rows repeated as a shared row would be) and composed with the transformer as a reward model reads it.
 */
class ScalarHeadTest {
    static final double H = 1e-3;

    static float[] randn(SplittableRandom r, int n, double s) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * s);
        return a;
    }

    static double loss(ScalarHead head, float[] hidden, int[] rows, float[] g) {
        float[] out = head.forward(hidden, rows, false);
        double s = 0;
        for (int j = 0; j < out.length; j++) s += g[j] * (double) out[j];
        return s;
    }

    /** Central difference of loss wrt a[i]; the loss is linear in each input, so this is exact up to rounding. */
    static double numeric(float[] a, int i, ScalarHead head, float[] hidden, int[] rows, float[] g) {
        float saved = a[i];
        a[i] = (float) (saved + H);
        double up = loss(head, hidden, rows, g);
        a[i] = (float) (saved - H);
        double down = loss(head, hidden, rows, g);
        a[i] = saved;
        return (up - down) / (2 * H);
    }

    @Test
    void gradientsOfHiddenWeightAndBiasMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(1);
        int c = 7, batchRows = 5;
        Tensor w = new Tensor("score.weight", new int[] {1, c}, randn(r, c, 1));
        Tensor b = new Tensor("score.bias", new int[] {1}, new float[] {0.3f});
        w.zeroGrad();
        b.zeroGrad();
        ScalarHead head = new ScalarHead(w, b);
        float[] hidden = randn(r, batchRows * c, 1);
        int[] rows = {4, 1, 1, 0}; // row 1 twice: its gradient must be the sum
        float[] g = randn(r, rows.length, 1);
        float[] dHidden = new float[batchRows * c];
        head.forward(hidden, rows, true);
        head.backward(g, dHidden);
        for (int i = 0; i < hidden.length; i++) {
            assertEquals(numeric(hidden, i, head, hidden, rows, g), dHidden[i], 2e-3, "dHidden[" + i + "]");
        }
        for (int i = 0; i < c; i++) assertEquals(numeric(w.data, i, head, hidden, rows, g), w.grad[i], 2e-3, "dW[" + i + "]");
        assertEquals(numeric(b.data, 0, head, hidden, rows, g), b.grad[0], 2e-3, "db");
        // rows 2 and 3 are never read: no gradient may reach them
        for (int i = 2 * c; i < 4 * c; i++) assertEquals(0f, dHidden[i]);
    }

    @Test
    void forwardIsTheDotProductPlusBias() {
        Tensor w = new Tensor("w", new int[] {1, 3}, new float[] {1, -2, 0.5f});
        ScalarHead head = new ScalarHead(w, new Tensor("b", new int[] {1}, new float[] {0.25f}));
        float[] out = head.forward(new float[] {1, 1, 1, 2, 0, 4}, new int[] {1, 0}, false);
        assertArrayEquals(new float[] {2 + 2 + 0.25f, 1 - 2 + 0.5f + 0.25f}, out, 1e-6f);
    }

    /** The reward model's path: transformer hidden states, the head at each sequence's last row. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void composedWithTheTransformerEveryGradientMatchesFiniteDifferences(String family) throws Exception {
        ModelConfig cfg = TransformerGradientTest.config(family);
        Map<String, Tensor> p = TransformerGradientTest.weights(cfg, 11);
        Transformer m = new Transformer(cfg, p);
        Batch batch = TransformerGradientTest.batch(cfg);
        SplittableRandom r = new SplittableRandom(2);
        Tensor w = ScalarHead.initWeight(ParamNames.SCORE, cfg.hidden(), 0.5, 3);
        ScalarHead head = new ScalarHead(w, null);
        int[] rows = {3, 8, 12, batch.size() - 1};
        float[] g = randn(r, rows.length, 1);
        for (Tensor t : m.parameters()) t.zeroGrad();
        w.zeroGrad();
        float[] hidden = m.forwardHidden(batch, true);
        head.forward(hidden, rows, true);
        float[] dHidden = new float[batch.size() * cfg.hidden()];
        head.backward(g, dHidden);
        m.backwardHidden(dHidden);
        java.util.List<Tensor> all = new java.util.ArrayList<>(m.parameters());
        all.add(w);
        for (Tensor t : all) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double[] u = dir.u();
            double analytic = dir.analytic();
            double h = 2e-3;
            double numeric = (4 * central(m, head, batch, rows, g, t, u, h / 2) - central(m, head, batch, rows, g, t, u, h)) / 3;
            assertEquals(numeric, analytic, 2e-2 * Math.max(1e-2, Math.abs(numeric)) + 2e-3,
                    family + " " + t.name + ": analytic " + analytic + " vs numeric " + numeric);
        }
    }

    static double central(Transformer m, ScalarHead head, Batch b, int[] rows, float[] g, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + h * u[i]);
        double plus = loss(head, m.forwardHidden(b, false), rows, g);
        for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] - h * u[i]);
        double minus = loss(head, m.forwardHidden(b, false), rows, g);
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (plus - minus) / (2 * h);
    }
}
