package align4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import align4j.eval.Bleu.Options;
import align4j.eval.Bleu.Smooth;
import align4j.eval.Bleu.Tokenize;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BleuTest {
    private static final List<String> SYS = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    /**
     * sacreBLEU README (github.com/mjpost/sacrebleu, "Using SacreBLEU from Python"), BLEU() defaults:
     * "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)".
     * (sacreBLEU groups references by set; here they are grouped per hypothesis.)
     */
    @Test
    void reproducesSacreBleuReadmeCorpusScore() {
        List<List<String>> refs = List.of(
                List.of("The dog bit the man.", "The dog had bit the man."),
                List.of("It was not unexpected.", "No one was surprised."),
                List.of("The man bit him first.", "The man had bitten the dog."));
        Bleu.Score s = Bleu.corpus(SYS, refs, Options.corpusDefaults());
        assertEquals(48.53, s.score(), 0.005);
        assertArrayEquals(new double[] {82.4, 50.0, 45.5, 37.5}, s.precisions(), 0.05);
        assertEquals(0.943, s.brevityPenalty(), 0.0005);
        assertEquals(17, s.sysLen());
        assertEquals(18, s.refLen());
    }

    /**
     * sacreBLEU README, "Variable Number of References": the first sentence's first reference is ''
     * (skipped): "BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 ref_len = 19)".
     */
    @Test
    void reproducesSacreBleuReadmeVariableReferences() {
        List<List<String>> refs = List.of(
                Arrays.asList("", "The dog had bit the man."),
                List.of("It was not unexpected.", "No one was surprised."),
                List.of("The man bit him first.", "The man had bitten the dog."));
        Bleu.Score s = Bleu.corpus(SYS, refs, Options.corpusDefaults());
        assertEquals(29.44, s.score(), 0.005);
        assertArrayEquals(new double[] {82.4, 42.9, 27.3, 12.5}, s.precisions(), 0.05);
        assertEquals(19, s.refLen());
    }

    private static final String HYP1 = "It is a guide to action which ensures that the military always obeys the commands of the party";
    private static final String HYP2 = "It is to insure the troops forever hearing the activity guidebook that party direct";
    private static final List<String> REFS1 = List.of(
            "It is a guide to action that ensures that the military will forever heed Party commands",
            "It is the guiding principle which guarantees the military forces always being under the command of the Party",
            "It is the practical guide for the army always to heed the directions of the party");

    /**
     * NLTK's documented example of nltk.translate.bleu_score.sentence_bleu (Papineni et al. 2002's
     * Example 1 sentences, whitespace tokens, no smoothing): 0.5045666840058485. Precisions are
     * 17/18, 10/17, 7/16, 4/15; hypothesis 18 tokens, closest reference 18, BP = 1.
     */
    @Test
    void reproducesNltkSentenceBleuExample() {
        Options o = Options.sentenceDefaults().with(Tokenize.NONE, Smooth.NONE, true);
        Bleu.Score s = Bleu.sentence(HYP1, REFS1, o);
        assertEquals(50.45666840058485, s.score(), 1e-9);
        assertArrayEquals(new long[] {17, 10, 7, 4}, s.correct());
        assertArrayEquals(new long[] {18, 17, 16, 15}, s.total());
        // With sacreBLEU's sentence defaults (13a, exp smoothing) nothing changes: the text has no
        // punctuation and no order lacks a match.
        assertEquals(50.45666840058485, Bleu.sentence(HYP1, REFS1, Options.sentenceDefaults()).score(), 1e-9);
    }

    /**
     * Papineni et al. 2002 §2.1: Candidate 2 of Example 1 has modified unigram precision 8/14 and
     * bigram precision 1/13 (Candidate 1: 17/18 and 10/17, checked above).
     */
    @Test
    void reproducesPapineniModifiedPrecisions() {
        Options o = Options.corpusDefaults().with(Tokenize.NONE, Smooth.NONE, false).lowercased();
        Bleu.Score s = Bleu.sentence(HYP2, REFS1, o);
        assertEquals(8, s.correct()[0]);
        assertEquals(14, s.total()[0]);
        assertEquals(1, s.correct()[1]);
        assertEquals(13, s.total()[1]);
        // Example 2: "the the the the the the the" against "The cat is on the mat" / "There is a cat on the mat":
        // "the" is clipped at its maximum reference count, 2 (lowercased), so p1 = 2/7.
        Bleu.Score t = Bleu.sentence("the the the the the the the", List.of("The cat is on the mat", "There is a cat on the mat"), o);
        assertEquals(2, t.correct()[0]);
        assertEquals(7, t.total()[0]);
    }

    /**
     * NLTK's documented corpus_bleu example: hypotheses HYP1 (3 references) and "he read the book because
     * he was interested in world history" (1 reference, a permutation of it): 0.5920778868801042.
     */
    @Test
    void reproducesNltkCorpusBleuExample() {
        Options o = Options.corpusDefaults().with(Tokenize.NONE, Smooth.NONE, false);
        Bleu.Score s = Bleu.corpus(
                List.of(HYP1, "he read the book because he was interested in world history"),
                List.of(REFS1, List.of("he was interested in world history because he read the book")), o);
        assertEquals(59.20778868801042, s.score(), 1e-9);
    }

    /**
     * Hand-computed smoothing: "the cat sat on the mat" vs "the cat is on the mat" (whitespace tokens).
     * p1 = 5/6 (the×2, cat, on, mat), p2 = 3/5 (the cat, on the, the mat), p3 = 1/4 (on the mat),
     * 4-grams 0/3; BP = 1 (6 vs 6).
     * <ul>
     *   <li>none: a zero precision makes BLEU 0;</li>
     *   <li>exp: p4 = 100/(2·3) = 16.667 → (83.333·60·25·16.667)^{1/4} = 2083333.3^{1/4} = 37.991784;</li>
     *   <li>floor 0.1: p4 = 100·0.1/3 = 3.3333 → (83.333·60·25·3.3333)^{1/4} = 25.406637;</li>
     *   <li>add-k 1 (orders 2–4): p2 = 4/6, p3 = 2/5, p4 = 1/4 → (83.333·66.667·40·25)^{1/4} = 48.549177.</li>
     * </ul>
     */
    @Test
    void smoothingMethodsMatchHandComputation() {
        String hyp = "the cat sat on the mat";
        List<String> ref = List.of("the cat is on the mat");
        Options base = Options.corpusDefaults();
        assertEquals(0.0, Bleu.sentence(hyp, ref, base.with(Tokenize.NONE, Smooth.NONE, false)).score());
        assertEquals(37.991784, Bleu.sentence(hyp, ref, base.with(Tokenize.NONE, Smooth.EXP, false)).score(), 1e-5);
        assertEquals(25.406637, Bleu.sentence(hyp, ref, base.with(Tokenize.NONE, Smooth.FLOOR, false)).score(), 1e-5);
        assertEquals(48.549177, Bleu.sentence(hyp, ref, base.with(Tokenize.NONE, Smooth.ADD_K, false)).score(), 1e-5);
    }

    /**
     * "the cat sat" vs "the cat is on the mat": p1 = 2/3, p2 = 1/2, p3 = 0/1, no 4-grams; BP = e^{1 − 6/3} = e^{−1}.
     * exp smoothing: p3 = 100/(2·1) = 50. Effective order averages orders 1–3:
     * e^{−1}·(66.667·50·50)^{1/3} = 0.3678794·55.032121 = 20.245186; without it, the missing 4-gram order
     * counts as p4 = 0 and BLEU is 0.
     */
    @Test
    void effectiveOrderDropsOrdersWithoutNgrams() {
        Options o = Options.corpusDefaults().with(Tokenize.NONE, Smooth.EXP, true);
        Bleu.Score s = Bleu.sentence("the cat sat", List.of("the cat is on the mat"), o);
        assertEquals(20.245186, s.score(), 1e-5);
        assertEquals(Math.exp(-1), s.brevityPenalty(), 1e-12);
        assertEquals(0.0, Bleu.sentence("the cat sat", List.of("the cat is on the mat"), o.with(Tokenize.NONE, Smooth.EXP, false)).score());
    }

    @Test
    void noMatchAtAllIsZeroAndIdenticalIsHundred() {
        assertEquals(0.0, Bleu.sentence("alpha beta", List.of("gamma delta"), Options.sentenceDefaults()).score());
        assertEquals(100.0, Bleu.sentence("The man had just bitten him.", List.of("The man had just bitten him."), Options.sentenceDefaults()).score(), 1e-9);
    }

    @Test
    void tokenizer13aSplitsPunctuationButKeepsNumbersAndApostrophes() {
        assertEquals("It wasn't surprising .", Bleu.tokenize13a("It wasn't surprising."));
        assertEquals("Pay 3.50 , or 1,000 ( \" now \" ) !", Bleu.tokenize13a("Pay 3.50, or 1,000 (&quot;now&quot;)!"));
        assertEquals("pages 10 - 12", Bleu.tokenize13a("pages 10-12"));
    }
}
