package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenLogProbsTest {
    /** log softmax(logits[r])[targets[r]] in double; 0 for a negative target. */
    static double[] reference(double[] logits, int[] targets, int vocab) {
        double[] out = new double[targets.length];
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] < 0) continue;
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int v = 0; v < vocab; v++) m = Math.max(m, logits[r * vocab + v]);
            for (int v = 0; v < vocab; v++) s += Math.exp(logits[r * vocab + v] - m);
            out[r] = logits[r * vocab + targets[r]] - m - Math.log(s);
        }
        return out;
    }

    @ParameterizedTest(name = "vocab={0}")
    @ValueSource(ints = {2, 7, 50, 259})
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(int vocab) {
        Random rnd = new Random(vocab);
        int[] targets = {vocab - 1, 0, -100, vocab / 2};
        int rows = targets.length;
        float[] logits = randn(rnd, rows * vocab, 3), dlogp = randn(rnd, rows, 1);
        logits[0] += 40; // a large logit must not overflow
        float[] logp = new float[rows], lse = new float[rows], sum = new float[rows];
        TokenLogProbs.forward(logp, lse, sum, logits, targets, rows, vocab);
        double[] ld = toDouble(logits);
        assertClose("logp", reference(ld, targets, vocab), logp, 1e-6);
        for (int r = 0; r < rows; r++) {
            double total = 0, magnitude = 0;
            for (int v = 0; v < vocab; v++) {
                total += ld[r * vocab + v];
                magnitude += Math.abs(ld[r * vocab + v]);
            }
            // a float sum's rounding error is bounded relative to Σ|x|, not to the (cancelling) sum
            assertEquals(total, sum[r], 1e-6 * magnitude, "logitSum row " + r);
        }

        double[] expected = numeric(x -> dot(dlogp, reference(x, targets, vocab)), ld);
        TokenLogProbs.backward(logits, dlogp, lse, targets, rows, vocab);
        assertClose("dlogits", expected, logits, 1e-6);
    }

    @Test
    void gpt2SizedVocabularyMatchesDoubleReference() {
        int vocab = 50257, rows = 3;
        Random rnd = new Random(11);
        float[] logits = randn(rnd, rows * vocab, 4);
        int[] targets = {0, 50256, 12345};
        float[] logp = new float[rows], lse = new float[rows];
        TokenLogProbs.forward(logp, lse, null, logits, targets, rows, vocab);
        assertClose("logp", reference(toDouble(logits), targets, vocab), logp, 1e-6);
    }

    @Test
    void uniformLogitsGiveMinusLogVocab() {
        int vocab = 1000;
        float[] logits = new float[vocab], logp = new float[1], lse = new float[1];
        TokenLogProbs.forward(logp, lse, null, logits, new int[] {3}, 1, vocab);
        assertEquals(-Math.log(vocab), logp[0], 1e-6);
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreads() {
        int vocab = 3001, rows = 9;
        float[] logits = randn(new Random(4), rows * vocab, 3), dlogp = randn(new Random(5), rows, 1);
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = r * 331;
        float[] a = logits.clone(), b = logits.clone();
        float[] la = new float[rows], lb = new float[rows], sa = new float[rows], sb = new float[rows];
        withThreads(1, () -> {
            TokenLogProbs.forward(la, sa, null, a, targets, rows, vocab);
            TokenLogProbs.backward(a, dlogp, sa, targets, rows, vocab);
        });
        withThreads(2, () -> {
            TokenLogProbs.forward(lb, sb, null, b, targets, rows, vocab);
            TokenLogProbs.backward(b, dlogp, sb, targets, rows, vocab);
        });
        assertArrayEquals(la, lb);
        assertArrayEquals(a, b);
    }
}
