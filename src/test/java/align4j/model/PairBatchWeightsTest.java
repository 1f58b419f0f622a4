package align4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * LD-DPO's token weights in a packed pair batch: the first min(|y_w|, |y_l|) completion tokens of each pair count
 * once, the rest ld_alpha times, in the sums and in the gradients sent back to the tokens; the plain chosen sums
 * and the unweighted NLL gradient ride along. Checked against sums written out per sequence by hand.
 */
class PairBatchWeightsTest {
    // pair 0: chosen 3 tokens, rejected 5 → shared 3; pair 1: chosen 4, rejected 2 → shared 2
    private final int[][] prompts = {{1, 2}, {3, 4, 5}}, chosen = {{6, 7, 8}, {9, 10, 11, 12}}, rejected = {{13, 14, 15, 16, 17}, {18, 19}};

    private static float logp(int seq, int k) {
        return -0.25f * (seq + 1) - 0.125f * k;
    }

    /** logp of the k-th target of each sequence as given by logp(seq, k), in target order. */
    private static LmHead.Result result(PairBatch pb) {
        int[] seq = pb.batch().targets().seq();
        float[] lp = new float[seq.length];
        int[] rank = new int[2 * pb.pairs()];
        for (int j = 0; j < seq.length; j++) lp[j] = logp(seq[j], rank[seq[j]]++);
        return new LmHead.Result(lp, new float[seq.length]);
    }

    private static double sum(int seq, int len, int shared, double alpha) {
        double s = 0;
        for (int k = 0; k < len; k++) s += (k < shared ? 1 : alpha) * logp(seq, k);
        return s;
    }

    @Test
    void sumsWeighTheTailByLdAlpha() {
        PairBatch pb = PairBatch.of(prompts, chosen, rejected);
        PairBatch.Sums s = pb.sums(result(pb), 0.5);
        assertArrayEquals(new double[] {sum(0, 3, 3, 0.5), sum(2, 4, 2, 0.5)}, s.chosen(), 1e-12);
        assertArrayEquals(new double[] {sum(1, 5, 3, 0.5), sum(3, 2, 2, 0.5)}, s.rejected(), 1e-12);
        assertArrayEquals(new double[] {sum(0, 3, 3, 1), sum(2, 4, 4, 1)}, s.chosenPlain(), 1e-12);
        PairBatch.Sums plain = pb.sums(result(pb));
        assertArrayEquals(plain.chosen(), pb.sums(result(pb), 1.0).chosen());
        assertArrayEquals(plain.chosen(), plain.chosenPlain());
    }

    @Test
    void tokenGradientsCarryTheWeightAndThePlainTerm() {
        PairBatch pb = PairBatch.of(prompts, chosen, rejected);
        double[] dc = {0.3, -0.7}, dr = {1.1, 0.4}, dp = {-0.05, 0.02};
        float[] g = pb.tokenGrads(dc, dr, dp, 0.25, 2.0);
        int[] seq = pb.batch().targets().seq();
        int[] rank = new int[4];
        int[] shared = {3, 3, 2, 2};
        for (int j = 0; j < g.length; j++) {
            int s = seq[j], i = s >> 1, k = rank[s]++;
            double w = k < shared[s] ? 1 : 0.25;
            double expected = 2.0 * ((s & 1) == 0 ? w * dc[i] + dp[i] : w * dr[i]);
            assertEquals(expected, g[j], 1e-6, "target " + j + " (sequence " + s + ", token " + k + ")");
        }
        assertArrayEquals(pb.tokenGrads(dc, dr, 1.0), pb.tokenGrads(dc, dr, null, 1.0, 1.0));
    }
}
