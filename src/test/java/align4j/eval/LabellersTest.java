package align4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Programmatic reward functions and reference metrics as pointwise scorers, with hand-worked values. */
class LabellersTest {
    private static Sample s(String completion, String reference) {
        return new Sample("p", null, completion, null, reference);
    }

    @Test
    void namedRewardFunctionsScoreAsDescribed() {
        List<Sample> xs = List.of(s("the cat the cat", "the cat"), s("  the cat \n", "The Cat"), s("", "x"));
        assertArrayEquals(new double[] {15, 11, 0}, RewardFunctions.get("length").score(xs));
        assertArrayEquals(new double[] {-15, -11, 0}, RewardFunctions.get("brevity").score(xs));
        assertArrayEquals(new double[] {4, 2, 0}, RewardFunctions.get("word-count").score(xs));
        assertArrayEquals(new double[] {0.5, 1, 0}, RewardFunctions.get("distinct-words").score(xs));
        assertArrayEquals(new double[] {0, 0, 0}, RewardFunctions.get("exact-match").score(xs));
        assertArrayEquals(new double[] {1, 1, 0}, RewardFunctions.get("contains-reference").score(xs));
        assertArrayEquals(new double[] {1}, RewardFunctions.get("exact-match").score(List.of(s(" the cat\n", "the cat"))));
        assertEquals("function:length", RewardFunctions.get("length").name());
        var e = assertThrows(IllegalArgumentException.class, () -> RewardFunctions.get("nope"));
        assertTrue(e.getMessage().contains("length, brevity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RewardFunctions.get("exact-match").score(List.of(s("a", null))));
        assertTrue(RewardFunctions.needsReference("exact-match"));
        List<Sample> ids = List.of(new Sample(null, null, null, new int[] {7, 3, 7, 7}, null), new Sample(null, null, null, new int[0], null));
        assertArrayEquals(new double[] {0.75, 0}, RewardFunctions.get("target-token:7").score(ids));
        assertThrows(IllegalArgumentException.class, () -> RewardFunctions.get("target-token:x"));
    }

    @Test
    void referenceScorersAreSentenceBleuAndRougeLF() {
        // ROUGE-L: reference "the cat sat on the mat", completion "the cat on the mat": LCS 5, P = 5/5, R = 5/6, F = 10/11.
        double[] r = new ReferenceScorer(ReferenceScorer.Metric.ROUGE_L).score(List.of(s("the cat on the mat", "the cat sat on the mat")));
        assertEquals(10.0 / 11, r[0], 1e-12);
        double[] b = new ReferenceScorer(ReferenceScorer.Metric.BLEU).score(List.of(s("the cat sat on the mat", "the cat sat on the mat"),
                s("dog", "the cat sat on the mat")));
        assertEquals(100.0, b[0], 1e-9);
        assertEquals(0.0, b[1], 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new ReferenceScorer(ReferenceScorer.Metric.BLEU).score(List.of(s("a", null))));
    }
}
