package align4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The gold reward on hand-worked reviews (the arithmetic is written out beside each case). */
class GoldRewardTest {
    static double score(String completion) {
        return GoldReward.score(ReviewTask.encode(completion));
    }

    @Test
    void intensifiersMultiplyTheNextSentimentWord() {
        assertEquals(1.5, score("very good ."), 1e-12);                        // 1.5 · 1
        assertEquals(8.0, score("extremely extremely wonderful"), 1e-12);      // 2 · 2 · 2
        assertEquals(0.5 + 1.0, score("somewhat good and good ."), 1e-12);     // the intensifier resets after "good"
    }

    @Test
    void negationFlipsAndHalves() {
        assertEquals(-0.75, score("not great ."), 1e-12);                       // −1.5 / 2
        assertEquals(-2.0 + 1.0, score("i hated the plot , it was not awful ."), 1e-12); // hated −2; not awful +2/2
        assertEquals(1.0, score("not , good"), 1e-12);                         // a conjunction ends the negation
        assertEquals(1.0, score("not not good"), 1e-12);                       // double negation
    }

    @Test
    void butHalvesWhatCameBefore() {
        assertEquals(1.0 * 0.5 - 1.2, score("good but boring ."), 1e-12);      // −0.7: the contrast wins
        assertEquals(-0.75 * 0.5 + 1.0, score("not great but fun ."), 1e-12);  // 0.625
    }

    @Test
    void wordsWithoutSentimentScoreZeroAndTheRewardIsTheLogistic() {
        assertEquals(0.0, score("the acting was <|endoftext|>"), 0);
        assertEquals(0.5, GoldReward.reward(ReviewTask.encode("the acting was")), 0);
        assertEquals(1 / (1 + Math.exp(-1.5)), GoldReward.reward(ReviewTask.encode("very good .")), 1e-15);
        assertEquals(0.8175744761936437, GoldReward.reward(ReviewTask.encode("very good .")), 1e-15); // σ(1.5)
    }

    @Test
    void idsOutsideTheVocabularyAreIgnored() {
        assertEquals(1.0, GoldReward.score(new int[] {-1, ReviewTask.id("good"), 10_000}), 0);
    }
}
