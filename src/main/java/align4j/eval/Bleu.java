package align4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * BLEU (Papineni et al. 2002, ACL, "BLEU: a Method for Automatic Evaluation of Machine Translation")
 * as sacreBLEU 2.x computes it (Post 2018; sacrebleu/metrics/bleu.py), on a 0–100 scale:
 * <pre>
 *   p_n  = Σ_segments Σ_g min(count_hyp(g), max_ref count_ref(g)) / Σ_segments Σ_g count_hyp(g)   (n = 1..4)
 *   BP   = 1 if c ≥ r, else exp(1 − r/c)     c = hypothesis tokens, r = Σ closest reference length
 *   BLEU = BP · exp( (1/N) Σ_n log p_n )
 * </pre>
 * The closest reference length breaks ties toward the shorter reference. Corpus BLEU sums the
 * statistics over segments before dividing; sentence BLEU is corpus BLEU of one segment with
 * sacreBLEU's sentence defaults (effective order on). If no n-gram of any order matches, BLEU is 0
 * (sacreBLEU #141).
 *
 * <p>Smoothing (Chen &amp; Cherry 2014, as sacreBLEU names them), applied to orders whose match count
 * is 0: {@code none}; {@code floor}: p_n = value/total_n (value 0.1); {@code add-k}: for n &gt; 1,
 * k (1) is added to matches and totals; {@code exp} (mteval-v13a, default): the i-th zero-match order
 * gets p_n = 1/(2^i·total_n). An order with no hypothesis n-grams stops the precision list; with
 * effective order the mean runs over the orders seen, without it the missing ones count as p = 0.
 *
 * <p>Tokenisation: {@code 13a} (default) is mteval-v13a as sacreBLEU's Tokenizer13a; {@code none}
 * splits on whitespace. References are given per hypothesis; a null or empty reference is skipped
 * (sacreBLEU's variable number of references).
 */
public final class Bleu {
    private Bleu() {}

    public enum Smooth { NONE, FLOOR, ADD_K, EXP }

    public enum Tokenize { NONE, V13A }

    /** sacreBLEU's BLEU arguments; {@code smoothValue} NaN selects the default of the method. */
    public record Options(Tokenize tokenize, boolean lowercase, Smooth smooth, double smoothValue,
                          boolean effectiveOrder, int maxNgramOrder) {
        /** sacreBLEU {@code BLEU()}: 13a, case-sensitive, exp smoothing, no effective order, 4-grams. */
        public static Options corpusDefaults() {
            return new Options(Tokenize.V13A, false, Smooth.EXP, Double.NaN, false, 4);
        }

        /** sacreBLEU {@code sentence_bleu()}: as corpus, with effective order. */
        public static Options sentenceDefaults() {
            return new Options(Tokenize.V13A, false, Smooth.EXP, Double.NaN, true, 4);
        }

        public Options with(Tokenize t, Smooth s, boolean eff) {
            return new Options(t, lowercase, s, smoothValue, eff, maxNgramOrder);
        }

        public Options lowercased() {
            return new Options(tokenize, true, smooth, smoothValue, effectiveOrder, maxNgramOrder);
        }
    }

    /** score and precisions are percentages, as sacreBLEU prints them. */
    public record Score(double score, double[] precisions, double brevityPenalty, long sysLen, long refLen,
                        long[] correct, long[] total) {}

    /** Corpus BLEU of hypotheses against their references (references.get(i) belongs to hypotheses.get(i)). */
    public static Score corpus(List<String> hypotheses, List<List<String>> references, Options o) {
        if (hypotheses.size() != references.size())
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size() + " reference lists");
        List<List<String>> hyps = new ArrayList<>();
        List<List<List<String>>> refs = new ArrayList<>();
        for (int i = 0; i < hypotheses.size(); i++) {
            hyps.add(tokens(hypotheses.get(i), o));
            List<List<String>> r = new ArrayList<>();
            for (String ref : references.get(i)) if (ref != null && !ref.isEmpty()) r.add(tokens(ref, o));
            refs.add(r);
        }
        return corpusTokens(hyps, refs, o);
    }

    public static Score sentence(String hypothesis, List<String> references, Options o) {
        return corpus(List.of(hypothesis), List.of(references), o);
    }

    /** Corpus BLEU on already tokenised segments (no tokenisation or lowercasing is applied). */
    public static Score corpusTokens(List<List<String>> hypotheses, List<List<List<String>>> references, Options o) {
        int order = o.maxNgramOrder();
        long[] correct = new long[order], total = new long[order];
        long sysLen = 0, refLen = 0;
        for (int s = 0; s < hypotheses.size(); s++) {
            List<String> hyp = hypotheses.get(s);
            List<List<String>> refs = references.get(s);
            if (refs.isEmpty()) throw new IllegalArgumentException("segment " + s + " has no reference");
            Map<List<String>, Integer> maxRef = new HashMap<>();
            int closest = -1;
            for (List<String> ref : refs) {
                for (var e : ngrams(ref, order).entrySet()) maxRef.merge(e.getKey(), e.getValue(), Math::max);
                int diff = Math.abs(hyp.size() - ref.size());
                if (closest < 0 || diff < Math.abs(hyp.size() - closest) || (diff == Math.abs(hyp.size() - closest) && ref.size() < closest))
                    closest = ref.size();
            }
            sysLen += hyp.size();
            refLen += closest;
            for (var e : ngrams(hyp, order).entrySet()) {
                int n = e.getKey().size() - 1;
                total[n] += e.getValue();
                correct[n] += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
            }
        }
        return fromStats(correct, total, sysLen, refLen, o);
    }

    /** sacreBLEU {@code BLEU.compute_bleu}: the score from summed statistics. */
    public static Score fromStats(long[] correctIn, long[] totalIn, long sysLen, long refLen, Options o) {
        int order = o.maxNgramOrder();
        double[] correct = new double[order], total = new double[order], precisions = new double[order];
        boolean anyMatch = false;
        for (int n = 0; n < order; n++) {
            correct[n] = correctIn[n];
            total[n] = totalIn[n];
            anyMatch |= correctIn[n] > 0;
        }
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        if (!anyMatch) return new Score(0.0, precisions, bp, sysLen, refLen, correctIn.clone(), totalIn.clone());
        double value = Double.isNaN(o.smoothValue()) ? (o.smooth() == Smooth.FLOOR ? 0.1 : 1.0) : o.smoothValue();
        double smoothMteval = 1;
        int effOrder = order;
        for (int n = 0; n < order; n++) {
            if (o.smooth() == Smooth.ADD_K && n > 0) {
                correct[n] += value;
                total[n] += value;
            }
            if (total[n] == 0) break;
            if (o.effectiveOrder()) effOrder = n + 1;
            if (correct[n] == 0) {
                if (o.smooth() == Smooth.EXP) {
                    smoothMteval *= 2;
                    precisions[n] = 100.0 / (smoothMteval * total[n]);
                } else if (o.smooth() == Smooth.FLOOR) {
                    precisions[n] = 100.0 * value / total[n];
                }
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        double logSum = 0;
        for (int n = 0; n < effOrder; n++) {
            if (precisions[n] == 0) return new Score(0.0, precisions, bp, sysLen, refLen, correctIn.clone(), totalIn.clone());
            logSum += Math.log(precisions[n]);
        }
        return new Score(bp * Math.exp(logSum / effOrder), precisions, bp, sysLen, refLen, correctIn.clone(), totalIn.clone());
    }

    /** Lowercases (if asked) and tokenises as the options say. */
    public static List<String> tokens(String text, Options o) {
        String s = o.lowercase() ? text.toLowerCase(Locale.ROOT) : text;
        s = s.stripTrailing();
        if (o.tokenize() == Tokenize.V13A) s = tokenize13a(s);
        return splitWhitespace(s);
    }

    private static final Pattern PUNCT = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern PERIOD_COMMA_AFTER = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    /**
     * mteval-v13a tokenisation as sacreBLEU's Tokenizer13a + TokenizerRegexp: drop {@code <skipped>},
     * join "-\n" line breaks, unescape &amp;quot; &amp;amp; &amp;lt; &amp;gt;, then space out punctuation
     * (ASCII symbols, and period/comma unless next to a digit, dash after a digit) and squeeze spaces.
     */
    public static String tokenize13a(String line) {
        String s = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
        s = " " + s + " ";
        s = PUNCT.matcher(s).replaceAll(" $1 ");
        s = PERIOD_COMMA_AFTER.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_BEFORE.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return String.join(" ", splitWhitespace(s));
    }

    private static List<String> splitWhitespace(String s) {
        List<String> out = new ArrayList<>();
        for (String t : s.trim().split("\\s+")) if (!t.isEmpty()) out.add(t);
        return out;
    }

    /** Counts of every n-gram, 1 ≤ n ≤ maxOrder. */
    static Map<List<String>, Integer> ngrams(List<String> tokens, int maxOrder) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= maxOrder; n++)
            for (int i = 0; i + n <= tokens.size(); i++) counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        return counts;
    }
}
