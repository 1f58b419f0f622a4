package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.DpoLoss;
import align4j.loss.LossType;
import align4j.model.ModelConfig;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Online DPO's step on fixed sampled completions equals {@link DpoObjective} run directly on the pairs those
 * completions make (chosen = the higher score after the missing-EOS penalty, ties to the first, TRL's rule), in
 * loss and in every gradient.
 */
class OnlineDpoTrainerTest {
    static final int TARGET = 5;
    static final double BETA = 0.3, PENALTY = 0.25;

    @ParameterizedTest
    @ValueSource(strings = {"sigmoid", "ipo"})
    void stepEqualsDpoObjectiveOnThePairs(String lossType) {
        ModelConfig cfg = RlFixtures.config();
        Map<String, Tensor> w = RlFixtures.weights(cfg, 17, 0.3);
        Transformer a = RlFixtures.trainable(cfg, RlFixtures.copy(w)), b = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        for (Tensor t : ref.parameters()) for (int i = 0; i < t.data.length; i++) t.data[i] *= 0.9f;
        Rollouts r = RlFixtures.rollouts(4, 2, cfg.vocabSize(), 9);
        // a tie: prompt 3's two completions score alike (no target token, same truncation) → the first is chosen
        r.completions()[6] = new int[] {1, 2, 3};
        r.completions()[7] = new int[] {3, 2, 1, 4};
        r.truncated()[6] = r.truncated()[7] = false;

        OnlineDpoConfig oc = OnlineDpoConfig.defaults().withBeta(BETA).withLossType(LossType.parse(lossType)).withMissingEosPenalty(PENALTY);
        OnlineDpoTrainer trainer = new OnlineDpoTrainer(a, a.parameters(), ref, false, null, RewardFunction.targetToken(TARGET), oc, 0);
        OnlineDpoTrainer.Backward got = trainer.backward(r, new Stats());

        int n = r.size() / 2;
        int[][] p = new int[n][], c = new int[n][], rj = new int[n][];
        for (int i = 0; i < n; i++) {
            double s0 = score(r, 2 * i), s1 = score(r, 2 * i + 1);
            boolean first = s0 >= s1;
            p[i] = r.prompts()[2 * i];
            c[i] = r.completions()[first ? 2 * i : 2 * i + 1];
            rj[i] = r.completions()[first ? 2 * i + 1 : 2 * i];
        }
        assertArrayEquals(r.completions()[6], got.pairs().chosen()[3], "ties go to the first completion");
        for (int i = 0; i < n; i++) {
            assertArrayEquals(c[i], got.pairs().chosen()[i]);
            assertArrayEquals(rj[i], got.pairs().rejected()[i]);
        }
        PairBatch pb = PairBatch.of(p, c, rj);
        PairBatch.Sums rs = pb.sums(ref.logps(pb.batch(), false));
        DpoObjective direct = new DpoObjective(b, DpoLoss.of(LossType.parse(lossType), BETA));
        DpoObjective.Step want = direct.train(pb, rs.chosen(), rs.rejected(), 1.0);

        assertEquals(want.result().loss(), got.step().result().loss(), 1e-9);
        assertArrayEquals(rs.chosen(), got.ref()[0], 1e-9);
        List<Tensor> pa = a.parameters(), pbp = b.parameters();
        double maxGrad = 0;
        for (int k = 0; k < pa.size(); k++) {
            for (int i = 0; i < pa.get(k).grad.length; i++) {
                assertEquals(pbp.get(k).grad[i], pa.get(k).grad[i], 1e-6, pa.get(k).name + "[" + i + "]");
                maxGrad = Math.max(maxGrad, Math.abs(pa.get(k).grad[i]));
            }
        }
        assertTrue(maxGrad > 1e-4, "gradients are not trivially zero");
    }

    /** target-token's score (the fraction of target tokens) minus the penalty when the completion has no EOS. */
    static double score(Rollouts r, int i) {
        int hits = 0;
        for (int x : r.completions()[i]) if (x == TARGET) hits++;
        return (float) ((double) hits / r.completions()[i].length) - (r.truncated()[i] ? (float) PENALTY : 0f);
    }
}
