package align4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.data.Pairs;
import align4j.data.RankedLists;
import align4j.loss.BradleyTerryLoss;
import align4j.loss.DpoLoss;
import align4j.loss.LossType;
import align4j.loss.PlackettLuceDpoLoss;
import align4j.loss.PlackettLuceRewardLoss;
import align4j.model.ModelConfig;
import align4j.model.ModelGradCheck;
import align4j.model.RewardModel;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Listwise DPO and reward training through a tiny model: the packed lists against each completion run alone, the
 * task's parameter gradient against central finite differences of its loss, rankings of two against the pair tasks
 * bit for bit, and the reference cache of lists.
 */
class ListwiseTaskTest {
    /** Three rankings of 3, 4 and 2 completions, one with an empty prompt (its first completion token is not scored). */
    static RankedLists lists(int vocab) {
        SplittableRandom r = new SplittableRandom(9);
        int[] promptLen = {3, 0, 4};
        int[][] compLen = {{4, 2, 3}, {5, 3, 2, 4}, {2, 6}};
        int n = promptLen.length;
        int[][] p = new int[n][];
        int[][][] c = new int[n][][];
        for (int i = 0; i < n; i++) {
            p[i] = r.ints(promptLen[i], 0, vocab).toArray();
            c[i] = new int[compLen[i].length][];
            for (int k = 0; k < compLen[i].length; k++) c[i][k] = r.ints(compLen[i][k], 0, vocab).toArray();
        }
        return new RankedLists(p, c, new String[n]);
    }

    static double[][] ref(RankedLists l) {
        SplittableRandom r = new SplittableRandom(4);
        double[][] out = new double[l.size()][];
        for (int i = 0; i < out.length; i++) out[i] = r.doubles(l.completions()[i].length, -20, -5).toArray();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void packedListsGiveEachCompletionsLogProbRunAlone(String family) {
        Transformer m = PolicyPairTaskTest.model(family);
        RankedLists l = lists(m.cfg.vocabSize());
        double[][] all = ListLogps.compute(m, l, 8, 1 << 14, null);
        for (int i = 0; i < l.size(); i++) {
            for (int k = 0; k < l.completions()[i].length; k++) {
                assertEquals(PolicyPairTaskTest.alone(m, l.prompts()[i], l.completions()[i][k])[0], all[i][k], 1e-4, "list " + i + " completion " + k);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void dpoGradientMatchesFiniteDifferencesOfTheLoss(String family) {
        Transformer m = PolicyPairTaskTest.model(family);
        RankedLists l = lists(m.cfg.vocabSize());
        ListwiseDpoTask task = new ListwiseDpoTask(m, new PlackettLuceDpoLoss(0.5, false), l, ref(l), null, null, 8);
        int[] all = {0, 1, 2};
        for (Tensor t : m.parameters()) t.zeroGrad();
        task.train(all, 0.5);
        SplittableRandom r = new SplittableRandom(2);
        for (Tensor t : m.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double rms = 0;
            for (float x : t.data) rms += (double) x * x;
            double h = 0.02 * Math.max(Math.sqrt(rms / t.size()), 0.05);
            double numeric = (4 * central(() -> task.loss(all).loss(), t, dir.u(), h / 2) - central(() -> task.loss(all).loss(), t, dir.u(), h)) / 3;
            assertEquals(0.5 * numeric, dir.analytic(), 0.02 * Math.abs(numeric) + 2e-4, family + " " + t.name);
        }
    }

    @Test
    void rewardGradientMatchesFiniteDifferencesOfTheLoss() {
        RewardModel rm = rewardModel(TinyModels.config(TinyModels.gpt2().put("vocab_size", 29), "gpt2"));
        RankedLists l = lists(29);
        ListwiseRewardTask task = new ListwiseRewardTask(rm, new PlackettLuceRewardLoss(0.01), l, null, 8);
        for (Tensor t : rm.parameters()) t.zeroGrad();
        task.train(new int[] {0, 1, 2}, 1.0);
        SplittableRandom r = new SplittableRandom(3);
        for (Tensor t : rm.parameters()) {
            ModelGradCheck.Direction dir = ModelGradCheck.Direction.random(r, t);
            double h = 1e-2;
            double numeric = (4 * central(() -> task.evaluate(l, 8).mean("loss"), t, dir.u(), h / 2)
                    - central(() -> task.evaluate(l, 8).mean("loss"), t, dir.u(), h)) / 3;
            assertEquals(numeric, dir.analytic(), 0.02 * Math.abs(numeric) + 2e-4, t.name);
        }
    }

    /** Rankings of two are pairs: the listwise tasks' loss, metrics and parameter gradients equal the pair tasks' exactly. */
    @Test
    void rankingsOfTwoTrainExactlyAsPairs() {
        Transformer a = PolicyPairTaskTest.model("llama"), b = PolicyPairTaskTest.model("llama");
        Pairs p = PolicyPairTaskTest.pairs(a.cfg.vocabSize());
        PairLogps.Result ref = new PairLogps.Result(new double[] {-9, -12, -7, -15}, new double[] {-11, -8, -13, -10});
        double[][] refLists = new double[4][];
        for (int i = 0; i < 4; i++) refLists[i] = new double[] {ref.chosen()[i], ref.rejected()[i]};
        int[] idx = {2, 0, 3, 1};
        for (Tensor t : a.parameters()) t.zeroGrad();
        for (Tensor t : b.parameters()) t.zeroGrad();
        Stats pair = new DpoTask(new DpoObjective(a, new DpoLoss(LossType.SIGMOID, 0.1, 0, false, 0, DpoLoss.DEFAULT_DISCOPOP_TAU)),
                p, ref, null, null, 8).train(idx, 0.5);
        Stats list = new ListwiseDpoTask(b, new PlackettLuceDpoLoss(0.1, false), RankedLists.of(p), refLists, null, null, 8).train(idx, 0.5);
        for (String k : list.means("").keySet()) assertEquals(pair.means("").get(k), list.means("").get(k), 0.0, k);
        for (int j = 0; j < a.parameters().size(); j++) assertArrayEquals(a.parameters().get(j).grad, b.parameters().get(j).grad, 0f);

        ModelConfig cfg = TinyModels.config(TinyModels.gpt2().put("vocab_size", 29), "gpt2");
        RewardModel ra = rewardModel(cfg), rb = rewardModel(cfg);
        Pairs q = PolicyPairTaskTest.pairs(29);
        for (Tensor t : ra.parameters()) t.zeroGrad();
        for (Tensor t : rb.parameters()) t.zeroGrad();
        Stats bt = new RewardTask(ra, new BradleyTerryLoss(0.01), q, null, null, null, 8).train(idx, 0.5);
        Stats pl = new ListwiseRewardTask(rb, new PlackettLuceRewardLoss(0.01), RankedLists.of(q), null, 8).train(idx, 0.5);
        assertEquals(bt.means(""), pl.means(""));
        for (int j = 0; j < ra.parameters().size(); j++) assertArrayEquals(ra.parameters().get(j).grad, rb.parameters().get(j).grad, 0f);
    }

    @Test
    void referenceLogProbsOfListsAreCachedBesideThePairs(@TempDir Path dir) throws Exception {
        Transformer m = PolicyPairTaskTest.model("gpt2");
        RankedLists l = lists(m.cfg.vocabSize());
        double[][] fresh = ListLogps.compute(m, l, 2, 1 << 14, null);
        double[][] cached = ListRefLogpsCache.get(dir, m, l, 2);
        for (int i = 0; i < l.size(); i++) assertArrayEquals(fresh[i], cached[i]);
        double[][] again = ListRefLogpsCache.get(dir, m, l, 2);
        for (int i = 0; i < l.size(); i++) assertArrayEquals(fresh[i], again[i]);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.filter(f -> f.getFileName().toString().startsWith("ref_list_logps-")).count());
        }
    }

    private static RewardModel rewardModel(ModelConfig cfg) {
        var w = new java.util.LinkedHashMap<>(TinyModels.randomWeights(cfg, 3, 0.2));
        w.remove(align4j.model.ParamNames.LM_HEAD);
        SplittableRandom r = new SplittableRandom(8);
        float[] score = new float[cfg.hidden()];
        for (int i = 0; i < score.length; i++) score[i] = (float) (0.3 * r.nextGaussian());
        w.put(align4j.model.ParamNames.SCORE, new Tensor(align4j.model.ParamNames.SCORE, new int[] {1, cfg.hidden()}, score));
        return new RewardModel(cfg, w, -1);
    }

    static double central(java.util.function.DoubleSupplier loss, Tensor t, double[] u, double h) {
        float[] saved = t.data.clone();
        double[] f = new double[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < u.length; i++) t.data[i] = (float) (saved[i] + (s == 0 ? h : -h) * u[i]);
            f[s] = loss.getAsDouble();
        }
        System.arraycopy(saved, 0, t.data, 0, saved.length);
        return (f[0] - f[1]) / (2 * h);
    }
}
