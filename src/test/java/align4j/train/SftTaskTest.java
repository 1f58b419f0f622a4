package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.data.SequenceExample;
import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.ModelGradCheck;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SFT's loss, gradient and metrics on tiny models against computations that do not use SftTask's packing. */
class SftTaskTest {
    static Transformer model(String family) {
        ObjectNode json = family.equals("gpt2") ? TinyModels.gpt2().put("vocab_size", 29) : TinyModels.llama().put("vocab_size", 31);
        ModelConfig cfg = TinyModels.config(json, family);
        return new Transformer(cfg, TinyModels.randomWeights(cfg, 3, 0.2));
    }

    /** Prompt/completion examples; completionOnly decides the loss mask as SequenceDataset does. */
    static List<SequenceExample> examples(int vocab, boolean completionOnly) {
        SplittableRandom r = new SplittableRandom(11);
        List<SequenceExample> l = new ArrayList<>();
        for (int[] pc : new int[][] {{3, 4}, {1, 6}, {5, 2}, {0, 5}}) {
            int[] ids = r.ints(pc[0] + pc[1], 0, vocab).toArray();
            boolean[] mask = new boolean[ids.length];
            Arrays.fill(mask, completionOnly ? pc[0] : 0, ids.length, true);
            l.add(new SequenceExample("t:" + l.size(), ids, pc[0], mask, null));
        }
        return l;
    }

    /** −(1/N)·Σ log p over loss tokens, each sequence run alone through Transformer.logps. */
    static double independentNll(Transformer m, List<SequenceExample> ex, boolean completionOnly) {
        double nll = 0;
        int n = 0;
        for (SequenceExample e : ex) {
            BatchBuilder b = new BatchBuilder();
            if (completionOnly) b.addSequence(e.prompt(), e.completion());
            else b.addScoredSequence(e.ids(), 1);
            Batch batch = b.build();
            for (float lp : m.logps(batch, false).logp()) {
                nll -= lp;
                n++;
            }
        }
        return nll / n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void lossIsTheMeanNllOverCompletionOrAllTokens(String family) throws Exception {
        Transformer m = model(family);
        for (boolean completionOnly : new boolean[] {true, false}) {
            List<SequenceExample> ex = examples(m.cfg.vocabSize(), completionOnly);
            SftTask task = new SftTask(m, ex, null, 2);
            double want = independentNll(m, ex, completionOnly);
            assertEquals(want, task.evaluate(ex, 2).mean("loss"), 1e-5, "eval, completionOnly=" + completionOnly);
            for (Tensor t : m.parameters()) t.zeroGrad();
            assertEquals(want, task.train(new int[] {0, 1, 2, 3}, 1.0).mean("loss"), 1e-5, "train");
        }
        // completion-only and full-sequence losses differ (prompt tokens count in one only)
        double a = independentNll(m, examples(m.cfg.vocabSize(), true), true);
        double b = independentNll(m, examples(m.cfg.vocabSize(), false), false);
        assertTrue(Math.abs(a - b) > 1e-4, a + " vs " + b); // far above the 1e-5 tolerance above
    }

    /**
     * With gradient accumulation the step's loss is the mean over every loss token of the window (transformers'
     * num_items_in_batch): micro-batches of 10 and 6 loss tokens, each trained with its share n/N as
     * {@link TrainLoop} gives it, add up to the gradient of one batch holding all four examples. Weighting the
     * two micro-batches equally (the mean of their means) gives a clearly different gradient.
     */
    @Test
    void accumulatedMicroBatchesGiveTheGradientOfOneBatchOfAllTheirTokens() throws Exception {
        Transformer m = model("llama");
        List<SequenceExample> ex = examples(m.cfg.vocabSize(), true);
        SftTask task = new SftTask(m, ex, null, 8);
        int[] a = {0, 1}, b = {2, 3};
        double wa = task.weight(a), wb = task.weight(b);
        assertEquals(10, wa);
        assertEquals(6, wb); // the last example has no prompt: its first token is predicted by nothing
        float[] whole = gradient(m, () -> task.train(new int[] {0, 1, 2, 3}, 1.0));
        float[] shared = gradient(m, () -> {
            task.train(a, wa / (wa + wb));
            task.train(b, wb / (wa + wb));
        });
        float[] equal = gradient(m, () -> {
            task.train(a, 0.5);
            task.train(b, 0.5);
        });
        double scale = 0, errShared = 0, errEqual = 0;
        for (int i = 0; i < whole.length; i++) {
            scale = Math.max(scale, Math.abs(whole[i]));
            errShared = Math.max(errShared, Math.abs(shared[i] - whole[i]));
            errEqual = Math.max(errEqual, Math.abs(equal[i] - whole[i]));
        }
        assertTrue(errShared <= 1e-5 * scale, "token-weighted accumulation off by " + errShared + " of " + scale);
        assertTrue(errEqual > 1e-2 * scale, "equal weights should differ, off by only " + errEqual + " of " + scale);
    }

    /** Every parameter's gradient after running step on zeroed gradients, concatenated. */
    private static float[] gradient(Transformer m, Runnable step) {
        for (Tensor t : m.parameters()) t.zeroGrad();
        step.run();
        int n = 0;
        for (Tensor t : m.parameters()) n += t.grad.length;
        float[] g = new float[n];
        int o = 0;
        for (Tensor t : m.parameters()) {
            System.arraycopy(t.grad, 0, g, o, t.grad.length);
            o += t.grad.length;
        }
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void gradientMatchesFiniteDifferencesOfTheLoss(String family) throws Exception {
        Transformer m = model(family);
        List<SequenceExample> ex = examples(m.cfg.vocabSize(), true);
        SftTask task = new SftTask(m, ex, null, 8);
        for (Tensor t : m.parameters()) t.zeroGrad();
        task.train(new int[] {0, 1, 2, 3}, 0.5); // gradScale 0.5: half the gradient
        SplittableRandom r = new SplittableRandom(2);
        for (Tensor t : m.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double[] u = dir.u();
            double analytic = dir.analytic();
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.02 * Math.max(Math.sqrt(rms / t.size()), 0.05);
            double numeric = (4 * central(task, ex, t, u, h / 2) - central(task, ex, t, u, h)) / 3;
            assertEquals(0.5 * numeric, analytic, 0.02 * Math.abs(numeric) + 2e-4, family + " " + t.name);
        }
    }

    static double central(SftTask task, List<SequenceExample> ex, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + (s == 0 ? h : -h) * u[i]);
            f[s] = task.evaluate(ex, 8).mean("loss");
        }
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (f[0] - f[1]) / (2 * h);
    }

    /** mean_token_accuracy and entropy from the full next-token distribution, computed one candidate at a time. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void accuracyAndEntropyMatchTheFullDistribution(String family) throws Exception {
        Transformer m = model(family);
        List<SequenceExample> ex = examples(m.cfg.vocabSize(), true);
        int v = m.cfg.vocabSize();
        double acc = 0, ent = 0;
        int n = 0;
        for (SequenceExample e : ex) {
            for (int pos = Math.max(1, e.promptLength()); pos < e.ids().length; pos++) {
                BatchBuilder b = new BatchBuilder();
                int[] ctx = Arrays.copyOf(e.ids(), pos);
                for (int tok = 0; tok < v; tok++) b.addSequence(ctx, new int[] {tok});
                float[] lp = m.logps(b.build(), false).logp();
                int best = 0;
                double h = 0;
                for (int tok = 0; tok < v; tok++) {
                    if (lp[tok] > lp[best]) best = tok;
                    h -= Math.exp(lp[tok]) * lp[tok];
                }
                acc += best == e.ids()[pos] ? 1 : 0;
                ent += h;
                n++;
            }
        }
        Stats s = new SftTask(m, ex, null, 3).evaluate(ex, 3);
        assertEquals(acc / n, s.mean("mean_token_accuracy"), 1e-12);
        assertEquals(ent / n, s.mean("entropy"), 1e-4);
    }
}
