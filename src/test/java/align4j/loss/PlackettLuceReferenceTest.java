package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Plackett–Luce losses against PyTorch autograd of the DPO paper's formula, K = 2, 3, 4
 * (scripts/plackett_luce_reference.py → src/test/resources/loss/plackett_luce_reference.json), to 1e-9 relative in
 * loss, per-list loss and every completion's gradient; and K = 2 against the pairwise losses bit for bit.
 */
class PlackettLuceReferenceTest {
    private static final double REL = 1e-9;

    static JsonNode root() {
        try (InputStream in = PlackettLuceReferenceTest.class.getResourceAsStream("/loss/plackett_luce_reference.json")) {
            if (in == null) fail("missing test resource /loss/plackett_luce_reference.json");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static double[][] lists(JsonNode a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) out[i] = doubles(a.get(i));
        return out;
    }

    @Test
    void dpoLossAndGradientsMatchPyTorchForKOf2To4() {
        int cases = 0;
        for (JsonNode c : root().get("dpo")) {
            String name = "K=" + c.get("k").asInt() + " β=" + c.get("beta").asDouble() + " free=" + c.get("reference_free");
            var r = new PlackettLuceDpoLoss(c.get("beta").asDouble(), c.get("reference_free").asBoolean())
                    .compute(lists(c.get("policy")), lists(c.get("ref")));
            assertRelClose(c.get("loss").asDouble(), r.loss(), REL, name + " loss");
            double[] losses = doubles(c.get("losses"));
            double[][] grad = lists(c.get("grad"));
            for (int i = 0; i < losses.length; i++) {
                assertRelClose(losses[i], r.losses()[i], REL, name + " list " + i);
                for (int k = 0; k < grad[i].length; k++) assertRelClose(grad[i][k], r.dPolicy()[i][k], REL, name + " grad " + i + "," + k);
            }
            cases++;
        }
        assertEquals(9, cases);
    }

    @Test
    void rewardLossAndGradientsMatchPyTorchForKOf2To4() {
        int cases = 0;
        for (JsonNode c : root().get("reward")) {
            String name = "K=" + c.get("k").asInt() + " c=" + c.get("center_rewards_coefficient").asDouble();
            var r = new PlackettLuceRewardLoss(c.get("center_rewards_coefficient").asDouble()).compute(lists(c.get("scores")));
            assertRelClose(c.get("loss").asDouble(), r.loss(), REL, name + " loss");
            double[][] grad = lists(c.get("grad"));
            for (int i = 0; i < grad.length; i++) {
                for (int k = 0; k < grad[i].length; k++) assertRelClose(grad[i][k], r.dScores()[i][k], REL, name + " grad " + i + "," + k);
            }
            cases++;
        }
        assertEquals(6, cases);
    }

    @Test
    void twoCompletionsEqualSigmoidDpoBitForBit() {
        SplittableRandom rng = new SplittableRandom(7);
        for (boolean free : new boolean[] {false, true}) {
            for (double beta : new double[] {0.1, 0.5, 2.0}) {
                int n = 6;
                double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
                double[][] pol = new double[n][], ref = new double[n][];
                for (int i = 0; i < n; i++) {
                    pc[i] = -rng.nextDouble(0.5, 40);
                    pr[i] = -rng.nextDouble(0.5, 40);
                    rc[i] = -rng.nextDouble(0.5, 40);
                    rr[i] = -rng.nextDouble(0.5, 40);
                    pol[i] = new double[] {pc[i], pr[i]};
                    ref[i] = new double[] {rc[i], rr[i]};
                }
                DpoLoss.Result pair = new DpoLoss(LossType.SIGMOID, beta, 0.0, free, 0.0, DpoLoss.DEFAULT_DISCOPOP_TAU)
                        .compute(new DpoLoss.Inputs(pc, pr, rc, rr, null, null));
                PlackettLuceDpoLoss.Result list = new PlackettLuceDpoLoss(beta, free).compute(pol, ref);
                assertEquals(pair.loss(), list.loss(), 0.0);
                assertArrayEquals(pair.losses(), list.losses(), 0.0);
                for (int i = 0; i < n; i++) {
                    assertEquals(pair.dChosen()[i], list.dPolicy()[i][0], 0.0, "dChosen " + i);
                    assertEquals(pair.dRejected()[i], list.dPolicy()[i][1], 0.0, "dRejected " + i);
                }
                assertEquals(pair.metrics(), list.metrics());
            }
        }
    }

    @Test
    void twoCompletionsEqualBradleyTerryBitForBit() {
        SplittableRandom rng = new SplittableRandom(11);
        for (double c : new double[] {0.0, 0.01}) {
            int n = 7;
            double[] w = new double[n], l = new double[n];
            double[][] lists = new double[n][];
            for (int i = 0; i < n; i++) {
                w[i] = rng.nextDouble(-4, 4);
                l[i] = rng.nextDouble(-4, 4);
                lists[i] = new double[] {w[i], l[i]};
            }
            BradleyTerryLoss.Result bt = new BradleyTerryLoss(c).compute(w, l, null);
            PlackettLuceRewardLoss.Result pl = new PlackettLuceRewardLoss(c).compute(lists);
            assertEquals(bt.loss(), pl.loss(), 0.0);
            for (int i = 0; i < n; i++) {
                assertEquals(bt.dChosen()[i], pl.dScores()[i][0], 0.0, "dChosen " + i);
                assertEquals(bt.dRejected()[i], pl.dScores()[i][1], 0.0, "dRejected " + i);
            }
            assertEquals(bt.toMap(""), pl.metrics().toMap(""));
        }
    }
}
