package align4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries")
 * with the definitions of Google's {@code rouge-score} package (rouge_scorer.py), on a 0–1 scale:
 * <pre>
 *   ROUGE-N: overlap = Σ_g min(count_target(g), count_prediction(g)),
 *            P = overlap / #prediction n-grams, R = overlap / #target n-grams
 *   ROUGE-L: P = LCS / |prediction|, R = LCS / |target|     (sentence-level, not rougeLsum)
 *   F = 2PR / (P + R), 0 when P + R = 0
 * </pre>
 * Tokeniser: rouge-score's default without stemming: lowercase, every run of characters outside
 * [a-z0-9] becomes a space, split on whitespace (so punctuation and non-ASCII letters are dropped).
 * rouge-score's optional Porter stemmer ({@code use_stemmer=True}) is not implemented.
 */
public final class Rouge {
    private Rouge() {}

    public record Score(double precision, double recall, double fmeasure) {}

    public record Scores(Score rouge1, Score rouge2, Score rougeL) {}

    /** rouge-score {@code RougeScorer(['rouge1','rouge2','rougeL']).score(target, prediction)}. */
    public static Scores score(String target, String prediction) {
        List<String> t = tokenize(target), p = tokenize(prediction);
        return new Scores(rougeN(t, p, 1), rougeN(t, p, 2), rougeL(t, p));
    }

    /**
     * rouge-score {@code score_multi}: against several targets, each measure keeps the score of the
     * target with the highest F.
     */
    public static Scores scoreMax(List<String> targets, String prediction) {
        Scores best = null;
        for (String target : targets) {
            Scores s = score(target, prediction);
            best = best == null ? s : new Scores(better(best.rouge1(), s.rouge1()), better(best.rouge2(), s.rouge2()),
                    better(best.rougeL(), s.rougeL()));
        }
        if (best == null) throw new IllegalArgumentException("no target to score against");
        return best;
    }

    private static Score better(Score a, Score b) {
        return b.fmeasure() > a.fmeasure() ? b : a;
    }

    /** rouge-score's tokenize.tokenize(text, stemmer=None). */
    public static List<String> tokenize(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ");
        List<String> out = new ArrayList<>();
        for (String t : s.trim().split(" +")) if (!t.isEmpty()) out.add(t);
        return out;
    }

    public static Score rougeN(List<String> target, List<String> prediction, int n) {
        Map<List<String>, Integer> t = ngrams(target, n), p = ngrams(prediction, n);
        long overlap = 0, tCount = 0, pCount = 0;
        for (var e : t.entrySet()) {
            tCount += e.getValue();
            overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
        }
        for (int c : p.values()) pCount += c;
        return fromCounts(overlap, pCount, tCount);
    }

    public static Score rougeL(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) return new Score(0, 0, 0);
        return fromCounts(lcs(target, prediction), prediction.size(), target.size());
    }

    /** Length of the longest common subsequence, by the O(|a|·|b|) dynamic programme with two rows. */
    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1], cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++)
                cur[j] = a.get(i - 1).equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            int[] tmp = prev;
            prev = cur;
            cur = tmp;
        }
        return prev[b.size()];
    }

    /** rouge-score: P = overlap/max(pred, 1), R = overlap/max(target, 1), F = 2PR/(P+R). */
    private static Score fromCounts(long overlap, long predCount, long targetCount) {
        double p = (double) overlap / Math.max(predCount, 1), r = (double) overlap / Math.max(targetCount, 1);
        return new Score(p, r, p + r > 0 ? 2 * p * r / (p + r) : 0.0);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        return counts;
    }
}
