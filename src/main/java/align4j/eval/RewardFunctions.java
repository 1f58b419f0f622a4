package align4j.eval;

import align4j.InputException;
import align4j.data.DatasetRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * Programmatic reward functions, by name: the one registry that {@code collect --label function:NAME},
 * {@code best-of-n --reward-function NAME} and the RL commands' {@code --reward-funcs NAME} select from. Most
 * score a completion's text alone or against its reference (words are runs of non-whitespace);
 * {@code target-token:ID} scores its token ids, and has a closed-form optimum (tests of RL use it). The rule-based
 * rewards of verifiable RL ({@link RuleRewards}: {@code accuracy}, {@code format}, {@code regex:PATTERN},
 * {@code json}, …) may read a column of the prompt's dataset record ({@link Sample#record()}), which the RL commands
 * pass; {@link #columns} names the columns a function needs.
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
        for (String name : List.of("accuracy", "math")) {
            REGISTRY.put(name, new Fn("1 if the final answer (last \\boxed{...}, else <answer>...</answer>, else '#### X' or 'the answer is X') "
                    + "equals the record's 'solution' (or 'answer') column as a number, fraction, percentage or normalised LaTeX, else 0",
                    false, s -> RuleRewards.accuracy(name, s)));
        }
        REGISTRY.put("format", new Fn("1 if the completion is <think>...</think> then <answer>...</answer> (TRL's format reward), else 0",
                false, s -> RuleRewards.regex(RuleRewards.THINK_ANSWER, s.completion())));
        REGISTRY.put("json", new Fn("1 if the completion (without a ```json fence) is one valid JSON value, else 0",
                false, s -> RuleRewards.json(s.completion()) != null ? 1 : 0));
        REGISTRY.put("repetition-penalty", new Fn("-(1 - distinct/total word 3-grams), in [-1, 0] (TRL's repetition_penalty; "
                + "repetition-penalty:N for N-grams)", false, s -> RuleRewards.repetition(s.completion(), 3)));
    }

    /** The parameterised functions: prefix → description and the function of the text after the prefix. */
    private record Param(String usage, String description, boolean text, BiFunction<String, String, ToDoubleFunction<Sample>> make) {}

    private static final Map<String, Param> PARAMETERISED = new LinkedHashMap<>();

    static {
        PARAMETERISED.put("regex:", new Param("regex:PATTERN", "1 if the Java regex PATTERN matches at the start of the completion "
                + "(Python's re.match; end it with $ to match the whole; (?s) lets . span lines), else 0", true, (name, arg) -> {
                    Pattern p = RuleRewards.compile(name, arg);
                    return s -> RuleRewards.regex(p, s.completion());
                }));
        PARAMETERISED.put("exact-match:", new Param("exact-match:COLUMN", "1 if the completion equals the record's COLUMN "
                + "(surrounding whitespace ignored), else 0", true, (name, col) -> s -> RuleRewards.exactMatch(name, s, col)));
        PARAMETERISED.put("contains:", new Param("contains:COLUMN", "1 if the completion contains the record's COLUMN "
                + "(case-insensitive), else 0", true, (name, col) -> s -> RuleRewards.contains(name, s, col)));
        PARAMETERISED.put("json-keys:", new Param("json-keys:KEY+KEY...", "1 if the completion is a JSON object with every KEY "
                + "(a required-keys schema), else 0", true, (name, arg) -> {
                    List<String> keys = List.of(arg.split("\\+"));
                    return s -> RuleRewards.jsonKeys(s.completion(), keys);
                }));
        PARAMETERISED.put("repetition-penalty:", new Param("repetition-penalty:N", "as repetition-penalty, over word N-grams", true,
                (name, arg) -> {
                    int n = positive(name, arg, "N");
                    return s -> RuleRewards.repetition(s.completion(), n);
                }));
        PARAMETERISED.put("soft-overlong:", new Param("soft-overlong:MAX:CACHE", "DAPO's soft overlong penalty on completion tokens: "
                + "0 up to MAX-CACHE, then linearly down to -1 at MAX, -1 beyond", false, (name, arg) -> {
                    String[] a = arg.split(":");
                    if (a.length != 2) throw new InputException("reward function '" + name + "': give soft-overlong:MAX:CACHE");
                    int max = positive(name, a[0], "MAX"), cache = positive(name, a[1], "CACHE");
                    if (cache > max) throw new InputException("reward function '" + name + "': CACHE " + cache + " exceeds MAX " + max);
                    return s -> {
                        if (s.completionIds() == null) throw new InputException("reward function '" + name + "' needs completion token ids");
                        return RuleRewards.softOverlong(s.completionIds().length, max, cache);
                    };
                }));
    }

    /** Prefix of the parameterised function: the fraction of completion tokens equal to ID, in [0, 1]. */
    public static final String TARGET_TOKEN = "target-token:";

    /** Name → description of every function, in a fixed order (for --help and errors). */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        REGISTRY.forEach((k, v) -> m.put(k, v.description + (v.needsReference ? " [needs --references]" : "")));
        m.put(TARGET_TOKEN + "ID", "fraction of completion tokens equal to token ID (scores token ids, no text needed)");
        PARAMETERISED.values().forEach(p -> m.put(p.usage, p.description));
        return m;
    }

    public static boolean needsReference(String name) {
        return !name.startsWith(TARGET_TOKEN) && param(name) == null && lookup(name).needsReference;
    }

    /** Whether the function reads the completion's text (else only its token ids). */
    public static boolean needsText(String name) {
        Param p = param(name);
        return !name.startsWith(TARGET_TOKEN) && (p == null || p.text);
    }

    /**
     * The columns of the prompt's dataset record the function reads: every record needs one of them (the first
     * present is read); empty when it reads none.
     */
    public static List<String> columns(String name) {
        if (name.equals("accuracy") || name.equals("math")) return RuleRewards.MATH_COLUMNS;
        if (name.startsWith("exact-match:")) return List.of(name.substring("exact-match:".length()));
        if (name.startsWith("contains:")) return List.of(name.substring("contains:".length()));
        return List.of();
    }

    /** Throws naming the record and the column when rec has none of the columns the function reads ({@link #columns}). */
    public static void checkColumns(String name, DatasetRecord rec) {
        List<String> cols = columns(name);
        if (!cols.isEmpty()) RuleRewards.column(name, new Sample(null, null, null, null, null, rec), cols);
    }

    /** The named function as a {@link Scorer}; an unknown name lists the known ones. */
    public static Scorer get(String name) {
        if (name.startsWith(TARGET_TOKEN)) return targetToken(name);
        Param p = param(name);
        if (p != null) {
            String arg = name.substring(name.indexOf(':') + 1);
            if (arg.isEmpty()) throw new InputException("reward function '" + name + "': give " + p.usage);
            return perSample(name, p.make.apply(name, arg));
        }
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
            List<String> known = new ArrayList<>(REGISTRY.keySet());
            known.add(TARGET_TOKEN + "ID");
            PARAMETERISED.values().forEach(p -> known.add(p.usage));
            throw new InputException("unknown reward function '" + name + "'; known: " + String.join(", ", known));
        }
        return fn;
    }

    /** The parameterised function whose prefix the name starts with, or null. */
    private static Param param(String name) {
        for (Map.Entry<String, Param> e : PARAMETERISED.entrySet()) if (name.startsWith(e.getKey())) return e.getValue();
        return null;
    }

    private static int positive(String name, String arg, String what) {
        try {
            int v = Integer.parseInt(arg.trim());
            if (v >= 1) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InputException("reward function '" + name + "': " + what + " must be a positive integer, got '" + arg + "'");
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
