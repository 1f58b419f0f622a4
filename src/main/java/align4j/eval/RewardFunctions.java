package align4j.eval;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Programmatic reward functions, by name (what {@code --label function:NAME} and {@code --reward-function NAME}
 * select). Each scores a completion's text alone or against its reference; words are runs of non-whitespace.
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

    /** Name → description of every function, in a fixed order (for --help and errors). */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        REGISTRY.forEach((k, v) -> m.put(k, v.description + (v.needsReference ? " [needs --references]" : "")));
        return m;
    }

    public static boolean needsReference(String name) {
        return lookup(name).needsReference;
    }

    /** The named function as a {@link Scorer}; an unknown name lists the known ones. */
    public static Scorer get(String name) {
        Fn fn = lookup(name);
        return new Scorer() {
            @Override
            public String name() {
                return "function:" + name;
            }

            @Override
            public double[] score(List<Sample> samples) {
                double[] out = new double[samples.size()];
                for (int i = 0; i < out.length; i++) {
                    Sample s = samples.get(i);
                    if (fn.needsReference && s.reference() == null) {
                        throw new IllegalArgumentException("reward function '" + name + "' needs a reference completion (--references FIELD)");
                    }
                    out[i] = fn.f.applyAsDouble(s);
                }
                return out;
            }
        };
    }

    private static Fn lookup(String name) {
        Fn fn = REGISTRY.get(name);
        if (fn == null) {
            throw new IllegalArgumentException("unknown reward function '" + name + "'; known: " + String.join(", ", REGISTRY.keySet()));
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
