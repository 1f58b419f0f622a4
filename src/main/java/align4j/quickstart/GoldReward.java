package align4j.quickstart;

import java.util.Map;

/**
 * The fixed "ground-truth" sentiment scorer of the quickstart, standing in for the DPO paper's
 * sentiment classifier (siebert/sentiment-roberta-large-english, §6.1): r(y) = σ(s(y)) ∈ (0, 1), the
 * probability that the completion is positive, where the score s is read left to right over the
 * completion's words (the prompt carries no sentiment):
 * <ul>
 *   <li>an adjective or verb with lexicon value v adds m·v, or −v/2 when negated ("not great" is mildly
 *       negative, "not awful" mildly positive);</li>
 *   <li>m is the product of the intensifiers just before it (very 1.5, really 1.3, extremely 2, quite 1.2,
 *       somewhat 0.5); "not" toggles negation; both reset after the word they modify and at a conjunction;</li>
 *   <li>"but" halves the score so far (what follows a contrast counts more: "great but boring" is negative).</li>
 * </ul>
 * Words outside the lexicon (and the end-of-text token) are ignored, so any token sequence scores.
 * Repeating intensifiers ("extremely extremely wonderful") pushes r toward 1: a reward hack that the
 * SFT model almost never samples, so reaching it costs KL, which is what the frontier measures.
 */
public final class GoldReward {
    static final Map<String, Double> LEXICON = Map.ofEntries(
            Map.entry("good", 1.0), Map.entry("great", 1.5), Map.entry("wonderful", 2.0), Map.entry("brilliant", 2.0),
            Map.entry("fun", 1.0), Map.entry("moving", 1.2), Map.entry("charming", 1.2), Map.entry("fine", 0.5),
            Map.entry("decent", 0.5), Map.entry("solid", 0.8),
            Map.entry("bad", -1.0), Map.entry("awful", -2.0), Map.entry("boring", -1.2), Map.entry("dull", -1.0),
            Map.entry("terrible", -2.0), Map.entry("weak", -0.8), Map.entry("slow", -0.5), Map.entry("mediocre", -0.7),
            Map.entry("silly", -0.6), Map.entry("predictable", -0.6),
            Map.entry("loved", 2.0), Map.entry("liked", 1.0), Map.entry("enjoyed", 1.2), Map.entry("hated", -2.0),
            Map.entry("disliked", -1.0));
    static final Map<String, Double> INTENSIFIERS = Map.of("very", 1.5, "really", 1.3, "extremely", 2.0, "quite", 1.2,
            "somewhat", 0.5);

    private static final double[] VALUE = new double[ReviewTask.vocab().size()];
    private static final double[] INTENSITY = new double[ReviewTask.vocab().size()];
    private static final int NOT = ReviewTask.id("not"), BUT = ReviewTask.id("but"), AND = ReviewTask.id("and"),
            COMMA = ReviewTask.id(","), STOP = ReviewTask.id(".");

    static {
        LEXICON.forEach((w, v) -> VALUE[ReviewTask.id(w)] = v);
        INTENSIFIERS.forEach((w, v) -> INTENSITY[ReviewTask.id(w)] = v);
    }

    private GoldReward() {}

    /** The sentiment score s(y) of completion ids (before the logistic). */
    public static double score(int[] completion) {
        double s = 0, mult = 1;
        boolean negated = false;
        for (int t : completion) {
            if (t < 0 || t >= VALUE.length) continue;
            if (t == NOT) {
                negated = !negated;
            } else if (INTENSITY[t] != 0) {
                mult *= INTENSITY[t];
            } else if (VALUE[t] != 0) {
                s += negated ? -0.5 * VALUE[t] : mult * VALUE[t];
                negated = false;
                mult = 1;
            } else if (t == BUT || t == AND || t == COMMA || t == STOP) {
                if (t == BUT) s *= 0.5;
                negated = false;
                mult = 1;
            }
        }
        return s;
    }

    /** r(y) = σ(s(y)): the gold reward, in (0, 1). */
    public static double reward(int[] completion) {
        return 1 / (1 + Math.exp(-score(completion)));
    }
}
