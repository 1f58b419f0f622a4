package align4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class RougeTest {
    /**
     * Lin 2004 §3.1: reference S1 "police killed the gunman"; S2 "police kill the gunman" and S3 "the gunman
     * kill police" share one bigram with S1 ("the gunman"), so ROUGE-2 cannot tell them apart, while ROUGE-L
     * (β = 1, equal lengths so F = P = R) gives S2 3/4 = 0.75 (police, the, gunman) and S3 2/4 = 0.5.
     */
    @Test
    void reproducesLinGunmanExample() {
        String s1 = "police killed the gunman";
        Rouge.Scores s2 = Rouge.score(s1, "police kill the gunman"), s3 = Rouge.score(s1, "the gunman kill police");
        assertEquals(0.75, s2.rougeL().fmeasure(), 1e-12);
        assertEquals(0.5, s3.rougeL().fmeasure(), 1e-12);
        // ROUGE-2: 1 of 3 bigrams on both sides; ROUGE-1: 3 of 4 unigrams.
        assertEquals(1.0 / 3, s2.rouge2().fmeasure(), 1e-12);
        assertEquals(1.0 / 3, s3.rouge2().fmeasure(), 1e-12);
        assertEquals(0.75, s2.rouge1().fmeasure(), 1e-12);
        assertEquals(0.75, s3.rouge1().fmeasure(), 1e-12);
    }

    /**
     * rouge-score README example (google-research/rouge): score('The quick brown fox jumps over the lazy dog',
     * 'The quick brown dog jumps on the log.') prints rouge1 P 0.75, R 0.6666666666666666, F
     * 0.7058823529411765 and rougeL P 0.625, R 0.5555555555555556, F 0.5882352941176471. The README
     * uses use_stemmer=True; stemming maps equal words to equal stems on both sides and no other pair,
     * so the unstemmed scores are the same. By hand: 9 target / 8 prediction tokens; unigram overlap
     * the×2, quick, brown, dog, jumps = 6; LCS "the quick brown jumps the" = 5; ROUGE-2: 2 of 7
     * prediction bigrams (the quick, quick brown) and 2 of 8 target bigrams: P 2/7, R 1/4, F 4/15.
     */
    @Test
    void reproducesRougeScoreReadmeExample() {
        Rouge.Scores s = Rouge.score("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");
        assertEquals(new Rouge.Score(0.75, 0.6666666666666666, 0.7058823529411765), s.rouge1());
        assertEquals(0.625, s.rougeL().precision(), 1e-15);
        assertEquals(0.5555555555555556, s.rougeL().recall(), 1e-15);
        assertEquals(0.5882352941176471, s.rougeL().fmeasure(), 1e-15);
        assertEquals(2.0 / 7, s.rouge2().precision(), 1e-15);
        assertEquals(0.25, s.rouge2().recall(), 1e-15);
        assertEquals(4.0 / 15, s.rouge2().fmeasure(), 1e-15);
    }

    @Test
    void tokenizerLowercasesAndDropsNonAlphanumerics() {
        assertEquals(List.of("it", "wasn", "t", "3", "50", "caf"), Rouge.tokenize("It wasn't -- 3.50 Café!"));
        assertEquals(List.of(), Rouge.tokenize("?!"));
    }

    @Test
    void emptySidesScoreZero() {
        Rouge.Scores s = Rouge.score("", "something");
        assertEquals(0.0, s.rouge1().fmeasure());
        assertEquals(0.0, s.rougeL().fmeasure());
    }

    @Test
    void multiTargetKeepsTheBestF() {
        Rouge.Scores s = Rouge.scoreMax(List.of("completely different", "police killed the gunman"), "police kill the gunman");
        assertEquals(0.75, s.rougeL().fmeasure(), 1e-12);
    }
}
