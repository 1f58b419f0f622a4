package align4j.eval;

import align4j.InputException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Programmatic reward functions, by name: the one registry that {@code collect --label function:NAME},
 * {@code best-of-n --reward-function NAME} and the RL commands' {@code --reward-funcs NAME} select from. Most
 * score a completion's text alone or against its reference (words are runs of non-whitespace);
 * {@code target-token:ID} scores its token ids, and has a closed-form optimum (tests of RL use it).
 */
public final class RewardFunctions {
    private RewardFunctions() {}

    private record Fn(String description, boolean needsReference, ToDoubleFunction<Sample> f) {}

    private static final Map<String, Fn> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("length", new Fn("number of characters (longer is better)", false, s -> s.completion().length()));
        REGISTRY.put("brevity", new Fn("minus the number of characters (shorter is better)", false, s -> -s.completion().length()));
        REGISTRY.put("word-count", new Fn("number of words", false, s -> words(s.completion()).length));
        REGISTRY.put("distinct-words", new Fn("distinct words / words, 0 for an empty completion (penalises repetition)",
                false, s -> distinct(words(s.completion()))));
        REGISTRY.put("exact-match", new Fn("1 if the completion equals the reference (surrounding whitespace ignored), else 0",
                true, s -> s.completion().strip().equals(s.reference().strip()) ? 1 : 0));
        REGISTRY.put("contains-reference", new Fn("1 if the completion contains the reference (case-insensitive), else 0",
                true, s -> s.completion().toLowerCase(Locale.ROOT).contains(s.reference().strip().toLowerCase(Locale.ROOT)) ? 1 : 0));
    }

    /** Prefix of the parameterised function: the fraction of completion tokens equal to ID, in [0, 1]. */
    public static final String TARGET_TOKEN = "target-token:";

    /** Name → description of every function, in a fixed order (for --help and errors). */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        REGISTRY.forEach((k, v) -> m.put(k, v.description + (v.needsReference ? " [needs --references]" : "")));
        m.put(TARGET_TOKEN + "ID", "fraction of completion tokens equal to token ID (scores token ids, no text needed)");
        return m;
    }

    public static boolean needsReference(String name) {
        return !name.startsWith(TARGET_TOKEN) && lookup(name).needsReference;
    }

    /** Whether the function reads the completion's text (else only its token ids). */
    public static boolean needsText(String name) {
        return !name.startsWith(TARGET_TOKEN);
    }

    /** The named function as a {@link Scorer}; an unknown name lists the known ones. */
    public static Scorer get(String name) {
        if (name.startsWith(TARGET_TOKEN)) return targetToken(name);
        Fn fn = lookup(name);
        return perSample(name, s -> {
            if (fn.needsReference && s.reference() == null) {
                throw new InputException("reward function '" + name + "' needs a reference completion (--references FIELD)");
            }
            return fn.f.applyAsDouble(s);
        });
    }

    private static Scorer targetToken(String name) {
        int target;
        try {
            target = Integer.parseInt(name.substring(TARGET_TOKEN.length()).trim());
        } catch (NumberFormatException e) {
            throw new InputException("reward function '" + name + "': the token id after '" + TARGET_TOKEN + "' is not an integer");
        }
        if (target < 0) throw new InputException("reward function '" + name + "': token id " + target + " is negative");
        return perSample(name, s -> {
            int[] c = s.completionIds();
            if (c == null) throw new InputException("reward function '" + name + "' needs completion token ids");
            int hits = 0;
            for (int t : c) if (t == target) hits++;
            return c.length == 0 ? 0 : (double) hits / c.length;
        });
    }

    /** A scorer named "function:NAME" that scores each sample on its own. */
    private static Scorer perSample(String name, ToDoubleFunction<Sample> f) {
        return new Scorer() {
            @Override
            public String name() {
                return "function:" + name;
            }

            @Override
            public double[] score(List<Sample> samples) {
                double[] out = new double[samples.size()];
                for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(samples.get(i));
                return out;
            }
        };
    }

    private static Fn lookup(String name) {
        Fn fn = REGISTRY.get(name);
        if (fn == null) {
            throw new InputException("unknown reward function '" + name + "'; known: " + String.join(", ", REGISTRY.keySet()));
        }
        return fn;
    }

    private static String[] words(String s) {
        String t = s.strip();
        return t.isEmpty() ? new String[0] : t.split("\\s+");
    }

    private static double distinct(String[] w) {
        if (w.length == 0) return 0;
        Set<String> seen = new HashSet<>(List.of(w));
        return (double) seen.size() / w.length;
    }
}
