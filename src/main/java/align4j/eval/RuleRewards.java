package align4j.eval;

import align4j.InputException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rule-based ("verifiable") rewards of {@link RewardFunctions}: math answers, formats, JSON, repetition and
 * overlong penalties, and matches against a column of the prompt's dataset record. Each is a function of one
 * {@link Sample}; the registry names them.
 */
final class RuleRewards {
    private RuleRewards() {}

    /**
     * TRL's format reward of its GRPO documentation, {@code ^<think>.*?</think><answer>.*?</answer>$}, with "."
     * spanning lines and whitespace allowed between the two blocks and at the end (chat models put newlines there).
     */
    static final Pattern THINK_ANSWER = Pattern.compile("(?s)^<think>.*?</think>\\s*<answer>.*?</answer>\\s*$");

    /** The columns the math reward reads its gold answer from: the first one the record has. */
    static final List<String> MATH_COLUMNS = List.of("solution", "answer");

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern FENCE = Pattern.compile("(?s)^```(?:json)?\\s*(.*?)\\s*```$");

    /** 1 if the completion's final answer equals the record's solution (or answer) column ({@link MathAnswer}). */
    static double accuracy(String name, Sample s) {
        String answer = MathAnswer.extract(s.completion());
        if (answer == null) return 0;
        return MathAnswer.equivalent(answer, MathAnswer.gold(column(name, s, MATH_COLUMNS))) ? 1 : 0;
    }

    /** 1 if the pattern matches at the start of the completion (Python's {@code re.match}), else 0. */
    static double regex(Pattern p, String completion) {
        return p.matcher(completion).lookingAt() ? 1 : 0;
    }

    /** The pattern of {@code regex:PATTERN}; a bad one is the user's error. */
    static Pattern compile(String name, String pattern) {
        try {
            return Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new InputException("reward function '" + name + "': not a regular expression: " + e.getDescription());
        }
    }

    /**
     * The completion as one JSON value, or null: surrounding whitespace and a {@code ```json … ```} fence around
     * the whole are removed; anything after the value makes it invalid.
     */
    static JsonNode json(String completion) {
        String t = completion.strip();
        Matcher m = FENCE.matcher(t);
        if (m.matches()) t = m.group(1);
        if (t.isEmpty()) return null;
        try {
            return JSON.readTree(t);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** 1 if the completion is a JSON object holding every key, else 0. */
    static double jsonKeys(String completion, List<String> keys) {
        JsonNode v = json(completion);
        if (v == null || !v.isObject()) return 0;
        for (String k : keys) if (!v.has(k)) return 0;
        return 1;
    }

    /**
     * TRL's repetition penalty (open-r1's {@code get_repetition_penalty_reward}, max_penalty −1): over the
     * lower-cased words' n-grams, −(1 − distinct / total), in [−1, 0]; 0 for a completion of fewer than n words.
     */
    static double repetition(String completion, int n) {
        String[] w = completion.toLowerCase(Locale.ROOT).strip().split("\\s+");
        if (completion.isBlank() || w.length < n) return 0;
        Set<String> distinct = new HashSet<>();
        int total = w.length - n + 1;
        for (int i = 0; i < total; i++) distinct.add(String.join(" ", Arrays.asList(w).subList(i, i + n)));
        return (double) distinct.size() / total - 1;
    }

    /**
     * DAPO's soft overlong punishment (Yu et al. 2025, eq. 13; TRL's {@code get_soft_overlong_punishment}) of a
     * completion of len tokens: 0 up to max − cache, then falling linearly to −1 at max, −1 beyond.
     */
    static double softOverlong(int len, int max, int cache) {
        if (len <= max - cache) return 0;
        if (len <= max) return (double) (max - cache - len) / cache;
        return -1;
    }

    /** 1 if the stripped completion equals the column's stripped value, else 0. */
    static double exactMatch(String name, Sample s, String col) {
        return s.completion().strip().equals(column(name, s, List.of(col)).strip()) ? 1 : 0;
    }

    /** 1 if the completion contains the column's stripped value, ignoring case, else 0. */
    static double contains(String name, Sample s, String col) {
        String v = column(name, s, List.of(col)).strip().toLowerCase(Locale.ROOT);
        return s.completion().toLowerCase(Locale.ROOT).contains(v) ? 1 : 0;
    }

    /**
     * The text of the first of the columns the sample's record has (a string as is, other JSON as written);
     * throws naming the record and the columns when it has none of them, or when there is no record.
     */
    static String column(String name, Sample s, List<String> columns) {
        String wanted = "'" + String.join("' (or '", columns) + "'" + (columns.size() > 1 ? ")" : "");
        if (s.record() == null) {
            throw new InputException("reward function '" + name + "' reads the column " + wanted
                    + " of the prompt's dataset record, which only ppo, grpo and rloo pass");
        }
        for (String c : columns) {
            JsonNode v = s.record().json().get(c);
            if (v != null && !v.isNull()) return v.isTextual() ? v.asText() : v.toString();
        }
        throw new InputException(s.record().location().describe() + ": reward function '" + name + "' needs the column "
                + wanted + ", which this record lacks (it has: " + String.join(", ", fieldNames(s.record().json())) + ")");
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
