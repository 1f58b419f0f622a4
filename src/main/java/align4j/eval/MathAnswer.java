package align4j.eval;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer check of the {@code accuracy} (alias {@code math}) reward: find the final answer in a completion and
 * decide whether it equals the dataset's, in the spirit of the rule-based verifiers of math RL (TRL's
 * {@code accuracy_reward}, Hugging Face's Math-Verify), restricted to what can be stated exactly.
 *
 * <p><b>The answer</b> of a text ({@link #extract}): the content of its last {@code \boxed{…}} whose braces balance;
 * else the content of its last {@code <answer>…</answer>}; else the rest of the line after its last {@code ####};
 * else the rest of the line after its last "answer is", "answer is:" or "answer:" (any case). None of these: no answer, reward 0.
 * The gold answer ({@link #gold}) is extracted from the dataset's column the same way when the column marks one
 * (a worked solution ending in {@code \boxed{…}} or {@code #### 72}); otherwise the whole column is the answer.
 *
 * <p><b>Normalisation</b> ({@link #normalize}), in order: {@code \$} and {@code $} removed (so {@code $…$} and
 * currency signs go); {@code \( \) \[ \]} removed; {@code \left}, {@code \right}, {@code \!}, {@code \,},
 * {@code \;}, {@code \:} removed; {@code \dfrac} and {@code \tfrac} read as {@code \frac}; {@code \text{X}} and
 * {@code \mathrm{X}} read as X; {@code ^\circ} and {@code ^{\circ}} removed; {@code {,}} removed; {@code \%} read as
 * {@code %}; all whitespace removed; trailing periods removed; and, when the whole is a number written with
 * thousands separators ({@code 1,234,567.5}), the commas removed.
 *
 * <p><b>Equal</b> ({@link #equivalent}): the normalised strings are identical, or both are numbers of equal exact
 * value. A number is an integer or decimal ({@code -3}, {@code 2.50}, {@code .5}), a fraction {@code a/b}, a
 * {@code \frac{a}{b}} (or {@code \frac12}, one digit each) with a and b integers or decimals and b ≠ 0, optionally
 * signed, or a percentage {@code p%}, which equals both p/100 and p (answers to "what percent" questions come both
 * ways). Values are compared as exact rationals: {@code 0.5 = 1/2 = \frac{1}{2} = 50% = 2/4}, {@code 72 = 72.00},
 * {@code 1,000 = 1{,}000 = 1000}; but {@code 1/3 ≠ 0.333}, and expressions ({@code x+1}, intervals, sets) are equal only when
 * identical after normalisation ({@code \left(1,2\right) = (1, 2)}, but {@code 2x ≠ x2}).
 */
public final class MathAnswer {
    private MathAnswer() {}

    private static final Pattern ANSWER_TAG = Pattern.compile("(?s)<answer>(.*?)</answer>");
    private static final Pattern ANSWER_IS = Pattern.compile("(?i)answer\\s*(?:is\\s*:?|:)");
    private static final String NUM = "(?:\\d+(?:\\.\\d*)?|\\.\\d+)";
    private static final Pattern DECIMAL = Pattern.compile("[+-]?" + NUM);
    private static final Pattern SLASH = Pattern.compile("([+-]?" + NUM + ")/([+-]?" + NUM + ")");
    private static final Pattern FRAC = Pattern.compile("([+-]?)\\\\frac(?:\\{([+-]?" + NUM + ")\\}\\{([+-]?" + NUM + ")\\}|(\\d)(\\d))");
    private static final Pattern THOUSANDS = Pattern.compile("[+-]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d*)?%?");

    /** The final answer a text gives (see the class comment), stripped, or null when it gives none. */
    public static String extract(String text) {
        String boxed = lastBoxed(text);
        if (boxed != null) return boxed.strip();
        String tagged = null;
        for (Matcher m = ANSWER_TAG.matcher(text); m.find(); ) tagged = m.group(1);
        if (tagged != null) return tagged.strip();
        int hashes = text.lastIndexOf("####");
        if (hashes >= 0) return restOfLine(text, hashes + 4);
        int end = -1;
        for (Matcher m = ANSWER_IS.matcher(text); m.find(); ) end = m.end();
        return end < 0 ? null : restOfLine(text, end);
    }

    /** The gold answer of a dataset value: its marked answer when it marks one, else the whole value. */
    public static String gold(String value) {
        String a = extract(value);
        return a == null ? value.strip() : a;
    }

    /** Whether a completion's answer equals the gold one (see the class comment); false for an empty answer. */
    public static boolean equivalent(String answer, String gold) {
        String a = normalize(answer), g = normalize(gold);
        if (a.isEmpty() || g.isEmpty()) return false;
        if (a.equals(g)) return true;
        for (BigDecimal[] x : values(a)) {
            for (BigDecimal[] y : values(g)) {
                if (x[0].multiply(y[1]).compareTo(y[0].multiply(x[1])) == 0) return true;
            }
        }
        return false;
    }

    /** The normalised form of an answer (see the class comment). */
    public static String normalize(String s) {
        String t = s.replace("\\$", "").replace("$", "")
                .replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "")
                .replace("\\left", "").replace("\\right", "")
                .replace("\\!", "").replace("\\,", "").replace("\\;", "").replace("\\:", "")
                .replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
                .replace("^{\\circ}", "").replace("^\\circ", "")
                .replace("{,}", "").replace("\\%", "%");
        t = unwrap(unwrap(t, "\\text{"), "\\mathrm{");
        t = t.replaceAll("\\s+", "");
        while (t.endsWith(".")) t = t.substring(0, t.length() - 1);
        if (THOUSANDS.matcher(t).matches()) t = t.replace(",", "");
        return t;
    }

    /** The exact values (numerator, denominator) a normalised answer may stand for; empty when it is no number. */
    private static List<BigDecimal[]> values(String t) {
        List<BigDecimal[]> out = new ArrayList<>();
        boolean percent = t.endsWith("%");
        BigDecimal[] v = number(percent ? t.substring(0, t.length() - 1) : t);
        if (v == null) return out;
        out.add(v);
        if (percent) out.add(new BigDecimal[] {v[0], v[1].multiply(BigDecimal.valueOf(100))});
        return out;
    }

    private static BigDecimal[] number(String t) {
        if (DECIMAL.matcher(t).matches()) return new BigDecimal[] {new BigDecimal(t), BigDecimal.ONE};
        Matcher m = SLASH.matcher(t);
        if (m.matches()) return fraction("", m.group(1), m.group(2));
        m = FRAC.matcher(t);
        if (m.matches()) return m.group(2) != null ? fraction(m.group(1), m.group(2), m.group(3)) : fraction(m.group(1), m.group(4), m.group(5));
        return null;
    }

    private static BigDecimal[] fraction(String sign, String num, String den) {
        BigDecimal d = new BigDecimal(den);
        if (d.signum() == 0) return null;
        BigDecimal n = new BigDecimal(num);
        return new BigDecimal[] {sign.equals("-") ? n.negate() : n, d};
    }

    /** The content of the last \boxed{…} whose braces balance, or null. */
    private static String lastBoxed(String text) {
        for (int at = text.lastIndexOf("\\boxed"); at >= 0; at = text.lastIndexOf("\\boxed", at - 1)) {
            int open = at + "\\boxed".length();
            while (open < text.length() && text.charAt(open) == ' ') open++;
            if (open >= text.length() || text.charAt(open) != '{') continue;
            int close = matchingBrace(text, open);
            if (close >= 0) return text.substring(open + 1, close);
        }
        return null;
    }

    /** The index of the brace closing the one at open, or -1. */
    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /** s with every command{X} replaced by X (braces balanced), e.g. \text{(A)} → (A). */
    private static String unwrap(String s, String command) {
        for (int at = s.indexOf(command); at >= 0; at = s.indexOf(command)) {
            int open = at + command.length() - 1, close = matchingBrace(s, open);
            if (close < 0) return s;
            s = s.substring(0, at) + s.substring(open + 1, close) + s.substring(close + 1);
        }
        return s;
    }

    private static String restOfLine(String text, int from) {
        int nl = text.indexOf('\n', from);
        return text.substring(from, nl < 0 ? text.length() : nl).strip();
    }
}
