package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Hand-computed properties of the DPO losses and finite-difference checks of their gradients. */
class DpoLossTest {
    private static DpoLoss.Inputs pairs(double[] pc, double[] pr, double[] rc, double[] rr) {
        int[] ones = new int[pc.length];
        java.util.Arrays.fill(ones, 1);
        return new DpoLoss.Inputs(pc, pr, rc, rr, ones, ones);
    }

    /** One pair with log-ratio margin Δ (reference at 0, chosen at Δ, rejected at 0). */
    private static DpoLoss.Inputs margin(double delta) {
        return pairs(new double[] {delta - 5}, new double[] {-5}, new double[] {-5}, new double[] {-5});
    }

    @Test
    void sigmoidLossAtZeroMarginIsLog2() {
        DpoLoss.Result r = DpoLoss.of(LossType.SIGMOID, 0.1).compute(pairs(
                new double[] {-12, -3}, new double[] {-7, -9}, new double[] {-12, -3}, new double[] {-7, -9}));
        assertEquals(Math.log(2), r.loss(), 1e-15);
        // dL/dℓ_w = −β σ(0) / B
        assertEquals(-0.1 * 0.5 / 2, r.dChosen()[0], 1e-15);
        assertEquals(0.1 * 0.5 / 2, r.dRejected()[1], 1e-15);
        assertEquals(0.0, r.metrics().rewardsMargins(), 0.0);
        assertEquals(0.0, r.metrics().rewardsAccuracies(), 0.0, "ties are not counted as correct");
    }

    @Test
    void sigmoidLossIsSoftplusOfMinusBetaDelta() {
        DpoLoss.Result r = DpoLoss.of(LossType.SIGMOID, 0.5).compute(margin(3));
        assertEquals(Math.log1p(Math.exp(-1.5)), r.loss(), 1e-15);
        assertEquals(-0.5 / (1 + Math.exp(1.5)), r.dChosen()[0], 1e-15);
    }

    @Test
    void ipoMinimumIsAtLengthAveragedMarginOfHalfInverseBeta() {
        double beta = 0.25; // minimum at Δ̂ = 1/(2β) = 2
        DpoLoss ipo = DpoLoss.of(LossType.IPO, beta);
        // chosen 4 tokens, rejected 2 tokens: ŝ_w − ŝ_l = 12/4 − 2/2 = 2
        DpoLoss.Inputs atMin = new DpoLoss.Inputs(new double[] {-8}, new double[] {-8}, new double[] {-20},
                new double[] {-10}, new int[] {4}, new int[] {2});
        DpoLoss.Result r = ipo.compute(atMin);
        assertEquals(0.0, r.loss(), 1e-24);
        assertEquals(0.0, r.dChosen()[0], 1e-12);
        assertEquals(0.0, r.dRejected()[0], 1e-12);
        DpoLoss.Result off = ipo.compute(margin(1)); // lengths 1: (1 − 2)² = 1
        assertEquals(1.0, off.loss(), 1e-15);
        assertEquals(-2.0, off.dChosen()[0], 1e-15);
    }

    @Test
    void hingeIsFlatOnceBetaDeltaPassesOne() {
        DpoLoss hinge = DpoLoss.of(LossType.HINGE, 0.1);
        assertEquals(0.0, hinge.compute(margin(12)).loss(), 0.0);
        assertEquals(0.0, hinge.compute(margin(12)).dChosen()[0], 0.0);
        assertEquals(1.0 - 0.4, hinge.compute(margin(4)).loss(), 1e-15);
        assertEquals(-0.1, hinge.compute(margin(4)).dChosen()[0], 1e-15);
    }

    @Test
    void cdpoGradientVanishesWhereSigmaOfZEqualsOneMinusEpsilon() {
        double eps = 0.1, beta = 0.2;
        double z = Math.log((1 - eps) / eps); // σ(z) = 1 − ε
        DpoLoss.Result r = new DpoLoss(LossType.SIGMOID, beta, eps, false, 0, 0.05).compute(margin(z / beta));
        assertEquals(0.0, r.dChosen()[0], 1e-15);
        // the plain DPO gradient never vanishes
        assertTrue(DpoLoss.of(LossType.SIGMOID, beta).compute(margin(z / beta)).dChosen()[0] < -1e-3);
    }

    @Test
    void robustWithoutSmoothingIsSigmoid() {
        DpoLoss.Inputs in = margin(2.5);
        assertEquals(DpoLoss.of(LossType.SIGMOID, 0.3).compute(in).loss(),
                DpoLoss.of(LossType.ROBUST, 0.3).compute(in).loss(), 1e-15);
    }

    @Test
    void exoPairWithZeroSmoothingUsesTrl027Epsilon() {
        DpoLoss.Inputs in = margin(2.5);
        assertEquals(new DpoLoss(LossType.EXO_PAIR, 0.3, 1e-3, false, 0, 0.05).compute(in).loss(),
                DpoLoss.of(LossType.EXO_PAIR, 0.3).compute(in).loss(), 0.0);
    }

    @Test
    void sppoHardIsZeroAtPlusMinusHalfInverseBeta() {
        // s_w = 1/(2β) = 5, s_l = −5
        DpoLoss.Result r = DpoLoss.of(LossType.SPPO_HARD, 0.1).compute(
                pairs(new double[] {0}, new double[] {-10}, new double[] {-5}, new double[] {-5}));
        assertEquals(0.0, r.loss(), 1e-24);
        assertEquals(0.0, r.dChosen()[0], 1e-12);
    }

    @Test
    void apoZeroAtReferenceIsOne() {
        // 1 − σ(0) + σ(0)
        assertEquals(1.0, DpoLoss.of(LossType.APO_ZERO, 0.1).compute(margin(0)).loss(), 1e-15);
    }

    @Test
    void aotMatchesSortedPolicyMarginsWithSortedReferenceMargins() {
        // policy margins (ℓ_w − ℓ_l) = {3, −1}, reference margins = {−2, 4}: sorted {−1, 3} − {−2, 4} = {1, −1}
        DpoLoss.Result r = DpoLoss.of(LossType.AOT, 1.0).compute(pairs(
                new double[] {0, -1}, new double[] {-3, 0}, new double[] {-2, 0}, new double[] {0, -4}));
        double expected = (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1))) / 2;
        assertEquals(expected, r.loss(), 1e-15);
        // pair 1 (margin −1) is rank 0, matched with reference −2: δ = 1
        assertEquals(-1 / (1 + Math.exp(1)) / 2, r.dChosen()[1], 1e-15);
        assertEquals(-1 / (1 + Math.exp(-1)) / 2, r.dChosen()[0], 1e-15);
    }

    @Test
    void referenceFreeIsTheSameAsAZeroReference() {
        double[] pc = {-4, -9}, pr = {-6, -2};
        DpoLoss.Inputs free = new DpoLoss.Inputs(pc, pr, null, null, new int[] {3, 5}, new int[] {2, 4});
        DpoLoss.Inputs zero = new DpoLoss.Inputs(pc, pr, new double[2], new double[2], new int[] {3, 5}, new int[] {2, 4});
        for (LossType t : LossType.values()) {
            DpoLoss.Result a = new DpoLoss(t, 0.2, 0.1, true, 0, 0.05).compute(free);
            DpoLoss.Result b = new DpoLoss(t, 0.2, 0.1, false, 0, 0.05).compute(zero);
            assertEquals(b.loss(), a.loss(), 0.0, t.trlName);
            assertArrayEquals(b.dChosen(), a.dChosen(), 0.0, t.trlName);
            assertEquals(b.metrics(), a.metrics(), t.trlName);
        }
    }

    @Test
    void rpoAddsTokenMeanNllOfTheChosenCompletions() {
        double alpha = 0.5;
        DpoLoss.Inputs in = new DpoLoss.Inputs(new double[] {-6, -10}, new double[] {-7, -9}, new double[] {-6, -10},
                new double[] {-7, -9}, new int[] {3, 5}, new int[] {2, 2});
        DpoLoss.Result r = new DpoLoss(LossType.SIGMOID, 0.1, 0, false, alpha, 0.05).compute(in);
        double nll = 16.0 / 8; // −Σℓ_w / Σn_w
        assertEquals(Math.log(2) + alpha * nll, r.loss(), 1e-15);
        assertEquals(nll, r.metrics().nllLoss(), 1e-15);
        assertEquals(nll, r.metrics().toMap("eval_").get("eval_nll_loss"), 1e-15);
        assertEquals(-0.1 * 0.5 / 2 - alpha / 8, r.dChosen()[0], 1e-15);
        assertFalse(DpoLoss.of(LossType.SIGMOID, 0.1).compute(in).metrics().toMap("").containsKey("nll_loss"));
    }

    @Test
    void rewardsAreBetaTimesLogRatios() {
        DpoLoss.Result r = DpoLoss.of(LossType.SIGMOID, 0.5).compute(
                pairs(new double[] {-2, -8}, new double[] {-9, -1}, new double[] {-4, -4}, new double[] {-4, -4}));
        assertArrayEquals(new double[] {1, -2}, r.chosenRewards(), 1e-15);
        assertArrayEquals(new double[] {-2.5, 1.5}, r.rejectedRewards(), 1e-15);
        assertEquals(0.5, r.metrics().rewardsAccuracies(), 0.0);
        assertEquals((3.5 - 3.5) / 2, r.metrics().rewardsMargins(), 1e-15);
        assertEquals(-5, r.metrics().logpsChosen(), 0.0);
    }

    @ParameterizedTest
    @EnumSource(LossType.class)
    void largeMarginsGiveFiniteLossAndGradient(LossType type) {
        for (double delta : new double[] {-2e4, 2e4}) {
            DpoLoss.Result r = new DpoLoss(type, 0.1, 0.1, false, 0, 0.05).compute(margin(delta));
            assertTrue(Double.isFinite(r.loss()) && Double.isFinite(r.dChosen()[0]) && Double.isFinite(r.dRejected()[0]),
                    type + " at Δ = " + delta + ": " + r.loss() + " " + r.dChosen()[0]);
        }
    }

    @ParameterizedTest
    @EnumSource(LossType.class)
    void gradientsMatchCentralDifferences(LossType type) {
        Random rnd = new Random(11 + type.ordinal());
        int n = 5;
        double[] pc = new double[n], pr = new double[n], rc = new double[n], rr = new double[n];
        int[] lc = new int[n], lr = new int[n];
        for (int i = 0; i < n; i++) {
            rc[i] = -5 - 20 * rnd.nextDouble();
            rr[i] = -5 - 20 * rnd.nextDouble();
            pc[i] = rc[i] + 8 * rnd.nextGaussian();
            pr[i] = rr[i] + 8 * rnd.nextGaussian();
            lc[i] = 1 + rnd.nextInt(9);
            lr[i] = 1 + rnd.nextInt(9);
        }
        DpoLoss loss = new DpoLoss(type, 0.2, 0.05, false, 0.3, 0.05);
        DpoLoss.Result r = loss.compute(new DpoLoss.Inputs(pc, pr, rc, rr, lc, lr));
        double h = 1e-6;
        for (int i = 0; i < n; i++) {
            for (double[] x : new double[][] {pc, pr}) {
                double keep = x[i];
                x[i] = keep + h;
                double up = loss.compute(new DpoLoss.Inputs(pc, pr, rc, rr, lc, lr)).loss();
                x[i] = keep - h;
                double down = loss.compute(new DpoLoss.Inputs(pc, pr, rc, rr, lc, lr)).loss();
                x[i] = keep;
                double numeric = (up - down) / (2 * h);
                double analytic = x == pc ? r.dChosen()[i] : r.dRejected()[i];
                assertEquals(numeric, analytic, 1e-7 + 1e-6 * Math.abs(numeric),
                        type + (x == pc ? " chosen " : " rejected ") + i);
            }
        }
    }

    @Test
    void lossTypeParsesTrlSpellingsAndTheOldAotPairName() {
        assertEquals(LossType.AOT_UNPAIRED, LossType.parse("aot_pair"));
        assertEquals(LossType.SIGMOID_NORM, LossType.parse("sigmoid_norm"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossType.parse("kto"));
        assertTrue(e.getMessage().contains("sigmoid") && e.getMessage().contains("discopop"), e.getMessage());
    }

    @Test
    void invalidSettingsAreRejectedWithTheFieldName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DpoLoss.of(LossType.SIGMOID, 0))
                .getMessage().contains("beta"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new DpoLoss(LossType.ROBUST, 0.1, 0.5, false, 0, 0.05)).getMessage().contains("label_smoothing"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DpoLoss.of(LossType.IPO, 0.1).compute(new DpoLoss.Inputs(new double[1], new double[1],
                        new double[1], new double[1], null, null))).getMessage().contains("lengths"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DpoLoss.of(LossType.SIGMOID, 0.1).compute(new DpoLoss.Inputs(new double[1], new double[1],
                        null, null, null, null))).getMessage().contains("reference"));
    }
}
