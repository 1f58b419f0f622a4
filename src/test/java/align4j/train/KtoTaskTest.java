package align4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.data.Pairs;
import align4j.data.UnpairedData;
import align4j.loss.KtoLoss;
import align4j.model.ModelGradCheck;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KTO through a tiny model: the task's parameter gradient against central finite differences of its loss with the
 * reference point z0 held at its value (TRL detaches it), for a batch whose z0 is positive, one where it is clamped
 * at 0, and APO-zero (no z0).
 */
class KtoTaskTest {
    /** Five examples (one with an empty prompt), their KL pairs as TRL builds them for a batch size of 5. */
    static Pairs klPairs(int vocab) {
        SplittableRandom r = new SplittableRandom(11);
        int[][] shape = {{3, 4}, {0, 5}, {5, 2}, {1, 3}, {2, 6}};
        int n = shape.length;
        int[][] p = new int[n][], c = new int[n][];
        for (int i = 0; i < n; i++) {
            p[i] = r.ints(shape[i][0], 0, vocab).toArray();
            c[i] = r.ints(shape[i][1], 0, vocab).toArray();
        }
        return new UnpairedData(p, c, LABELS, new String[n]).klPairs(n);
    }

    static final boolean[] LABELS = {true, false, true, false, false};
    static final int[] ALL = {0, 1, 2, 3, 4};

    @ParameterizedTest
    @CsvSource({"gpt2,kto,1.0", "llama,kto,1.0", "gpt2,kto,-1.0", "llama,apo_zero_unpaired,0"})
    void gradientMatchesFiniteDifferencesWithTheReferencePointDetached(String family, String type, double klShift) {
        Transformer m = PolicyPairTaskTest.model(family);
        Pairs p = klPairs(m.cfg.vocabSize());
        // the reference: the starting policy, shifted so that log-ratios take both signs and z0 = klShift (or 0)
        PairLogps.Result base = PairLogps.compute(m, p.prompts(), p.chosen(), p.rejected(), 8, 1 << 14, null);
        double[] refC = new double[5], refKl = new double[5];
        double[] offset = {0.7, -1.3, 2.1, -0.4, 1.6};
        for (int i = 0; i < 5; i++) {
            refC[i] = base.chosen()[i] + offset[i] * 4;
            refKl[i] = base.rejected()[i] - klShift;
        }
        KtoLoss loss = new KtoLoss(KtoLoss.Type.parse(type), 0.5, 1.2, 0.8);
        KtoTask.Examples set = new KtoTask.Examples(p, LABELS, new PairLogps.Result(refC, refKl));
        KtoTask task = new KtoTask(m, loss, set, null, 8);
        for (Tensor t : m.parameters()) t.zeroGrad();
        KtoTask.Step step = task.step(set, ALL, true, 0.5); // gradScale 0.5: half the gradient
        assertEquals(Math.max(0, klShift), step.result().kl(), 1e-4);
        double[] klAt0 = base.rejected();
        SplittableRandom r = new SplittableRandom(2);
        for (Tensor t : m.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.02 * Math.max(Math.sqrt(rms / t.size()), 0.05);
            double numeric = (4 * central(m, loss, p, refC, klAt0, refKl, t, dir.u(), h / 2)
                    - central(m, loss, p, refC, klAt0, refKl, t, dir.u(), h)) / 3;
            assertEquals(0.5 * numeric, dir.analytic(), 0.02 * Math.abs(numeric) + 2e-4, family + " " + type + " " + t.name);
        }
    }

    /** The loss at θ ± h·u with the KL pairs' policy log-probs kept at θ's (z0 detached). */
    static double central(Transformer m, KtoLoss loss, Pairs p, double[] refC, double[] klAt0, double[] refKl, Tensor t,
                          double[] u, double h) {
        float[] saved = t.data.clone();
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + (s == 0 ? h : -h) * u[i]);
            PairLogps.Result now = PairLogps.compute(m, p.prompts(), p.chosen(), p.rejected(), 8, 1 << 14, null);
            f[s] = loss.compute(new KtoLoss.Inputs(now.chosen(), refC, LABELS, klAt0, refKl)).loss();
        }
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (f[0] - f[1]) / (2 * h);
    }

    /** TRL's _get_kl_dataset: in each chunk of the batch size, example j takes the completion of example j − 1 (the first the last's). */
    @org.junit.jupiter.api.Test
    void klPairsShiftCompletionsByOneWithinEachChunkAsTrl() {
        int[][] c = {{1}, {2}, {3}, {4}, {5}};
        UnpairedData d = new UnpairedData(new int[5][0], c, LABELS, new String[5]);
        Pairs kl = d.klPairs(2);
        assertArrayEquals(new int[][] {{2}, {1}, {4}, {3}, {5}}, kl.rejected());
        assertArrayEquals(new int[][] {{5}, {1}, {2}, {3}, {4}}, d.klPairs(8).rejected());
        assertArrayEquals(c, kl.chosen());
    }
}
