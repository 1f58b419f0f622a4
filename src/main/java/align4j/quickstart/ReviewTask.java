package align4j.quickstart;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The quickstart's built-in text task, a miniature of the DPO paper's IMDb setting (Rafailov et al.
 * 2023, §6.1): short film reviews with a word-level vocabulary. A review is a prompt (a prefix ending in
 * a copula, "the film was") and a completion of 8–16 words ending in "." and the end-of-text token:
 * <pre>
 *   completion := adj-phrase (conj clause)+ "."
 *   clause     := "the" NOUN COP adj-phrase | "it" COP adj-phrase | "i" VERB "the" NOUN
 *   adj-phrase := ["not"] [INTENSIFIER] ADJECTIVE
 * </pre>
 * The pretraining corpus mixes sentiments: each review draws a tilt p ~ U(0, 1) and picks each
 * adjective or verb positive with probability p, so reviews (and the SFT model's samples) range from
 * glowing to scathing and the gold reward ({@link GoldReward}) has variance to optimise.
 */
public final class ReviewTask {
    public static final String EOS = "<|endoftext|>", UNK = "<unk>";
    static final String[] PROMPTS = {"the film was", "this movie is", "the acting was", "i thought the plot was",
            "overall the story is", "honestly the ending felt", "the music was", "the cast was"};
    static final String[] NOUNS = {"acting", "music", "plot", "ending", "story", "cast", "script", "dialogue", "pacing"};
    static final String[] COPULAS = {"was", "is", "felt"};
    static final String[] CONJUNCTIONS = {"and", "but", ","};
    static final String[] INTENSIFIERS = {"very", "really", "extremely", "quite", "somewhat"};
    static final String[] POSITIVE = {"good", "great", "wonderful", "brilliant", "fun", "moving", "charming", "fine",
            "decent", "solid"};
    static final String[] NEGATIVE = {"bad", "awful", "boring", "dull", "terrible", "weak", "slow", "mediocre", "silly",
            "predictable"};
    static final String[] POSITIVE_VERBS = {"loved", "liked", "enjoyed"};
    static final String[] NEGATIVE_VERBS = {"hated", "disliked"};
    public static final int MIN_WORDS = 8, MAX_WORDS = 16;

    private static final List<String> VOCAB = vocabulary();
    private static final Map<String, Integer> IDS = index(VOCAB);

    private ReviewTask() {}

    /** The words in id order: the end-of-text and unknown tokens, then every word the grammar uses. */
    public static List<String> vocab() {
        return VOCAB;
    }

    public static int eosId() {
        return 0;
    }

    public static int id(String word) {
        Integer i = IDS.get(word);
        if (i == null) throw new IllegalArgumentException("'" + word + "' is not in the review vocabulary");
        return i;
    }

    public static String word(int id) {
        return VOCAB.get(id);
    }

    /** Space-separated words → ids. */
    public static int[] encode(String text) {
        String[] w = text.trim().split(" +");
        int[] ids = new int[w.length];
        for (int i = 0; i < w.length; i++) ids[i] = id(w[i]);
        return ids;
    }

    /** Ids → space-separated words (the end-of-text token included, as written). */
    public static String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(word(id));
        }
        return sb.toString();
    }

    /** The prompts, tokenized. */
    public static int[][] prompts() {
        int[][] p = new int[PROMPTS.length][];
        for (int i = 0; i < p.length; i++) p[i] = encode(PROMPTS[i]);
        return p;
    }

    /** One review: the prompt index, and the completion ids (ending in "." and end-of-text). */
    public record Review(int prompt, int[] completion) {}

    /** A review of a random prompt with a random sentiment tilt (the pretraining distribution). */
    public static Review sample(SplittableRandom rnd) {
        int prompt = rnd.nextInt(PROMPTS.length);
        double tilt = rnd.nextDouble();
        while (true) {
            List<String> w = new ArrayList<>();
            adjectivePhrase(w, rnd, tilt);
            int clauses = 1 + rnd.nextInt(3);
            for (int c = 0; c < clauses; c++) {
                w.add(pick(CONJUNCTIONS, rnd));
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        w.add("the");
                        w.add(pick(NOUNS, rnd));
                        w.add(pick(COPULAS, rnd));
                        adjectivePhrase(w, rnd, tilt);
                    }
                    case 1 -> {
                        w.add("it");
                        w.add(pick(COPULAS, rnd));
                        adjectivePhrase(w, rnd, tilt);
                    }
                    default -> {
                        w.add("i");
                        w.add(rnd.nextDouble() < tilt ? pick(POSITIVE_VERBS, rnd) : pick(NEGATIVE_VERBS, rnd));
                        w.add("the");
                        w.add(pick(NOUNS, rnd));
                    }
                }
            }
            w.add(".");
            if (w.size() < MIN_WORDS || w.size() > MAX_WORDS) continue;
            int[] ids = new int[w.size() + 1];
            for (int i = 0; i < w.size(); i++) ids[i] = id(w.get(i));
            ids[w.size()] = eosId();
            return new Review(prompt, ids);
        }
    }

    private static void adjectivePhrase(List<String> w, SplittableRandom rnd, double tilt) {
        if (rnd.nextDouble() < 0.15) w.add("not");
        if (rnd.nextDouble() < 0.3) w.add(pick(INTENSIFIERS, rnd));
        w.add(rnd.nextDouble() < tilt ? pick(POSITIVE, rnd) : pick(NEGATIVE, rnd));
    }

    private static String pick(String[] a, SplittableRandom rnd) {
        return a[rnd.nextInt(a.length)];
    }

    private static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of(EOS, UNK));
        for (String p : PROMPTS) for (String w : p.split(" ")) if (!v.contains(w)) v.add(w);
        for (String[] group : new String[][] {NOUNS, COPULAS, CONJUNCTIONS, {"it", "i", "not", "."}, INTENSIFIERS,
                POSITIVE, NEGATIVE, POSITIVE_VERBS, NEGATIVE_VERBS}) {
            for (String w : group) if (!v.contains(w)) v.add(w);
        }
        return List.copyOf(v);
    }

    private static Map<String, Integer> index(List<String> vocab) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) m.put(vocab.get(i), i);
        return Map.copyOf(m);
    }
}
