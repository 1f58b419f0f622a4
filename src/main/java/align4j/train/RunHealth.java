package align4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Signs that an online RL run is not learning, read from each step's metrics (TRL's names, as GRPO, RLOO and PPO
 * log them). Each check fires once per occurrence: when its condition becomes true, and again only after it has
 * been false for a step. The checks and their thresholds:
 * <ul>
 *   <li>{@code clipped_completions}: {@code completions/clipped_ratio} &gt; 0.5, most completions hit the length
 *       limit without a stop token (their reward judges a cut-off text);</li>
 *   <li>{@code zero_reward_std}: {@code frac_reward_zero_std} &gt; 0.5, most groups scored all their completions
 *       alike, so their advantages are 0 and they teach nothing;</li>
 *   <li>{@code kl_blowup}: the KL to the reference per token, {@code objective/kl} (Σ_t log π/π_ref per completion,
 *       nats) over {@code completions/mean_length}, &gt; 1 nat: the policy has left the reference far behind;</li>
 *   <li>{@code ratio_blowup}: the clipped fraction ({@code clip_ratio/region_mean}, PPO's
 *       {@code policy/clipfrac_avg}) &gt; 0.3, or PPO's mean ratio {@code val/ratio} outside [0.5, 2]: updates too
 *       large for the trust region;</li>
 *   <li>{@code entropy_collapse}: the mean token entropy ({@code entropy}, PPO's {@code policy/entropy_avg}) below
 *       0.1 nats after an earlier step at 0.2 or more: sampling has become nearly greedy;</li>
 *   <li>{@code constant_reward}: a reward function ({@code rewards/<name>/mean} and {@code /std}) that has given one
 *       value to every completion of the first 5 steps (fires once per function).</li>
 * </ul>
 * What must survive a resume (which warnings are active, the entropy peak, each function's first value) is
 * {@link #state()}, saved in the checkpoints.
 */
public final class RunHealth {
    public static final double CLIPPED_RATIO_LIMIT = 0.5, ZERO_STD_LIMIT = 0.5, KL_PER_TOKEN_LIMIT = 1, CLIP_FRACTION_LIMIT = 0.3,
            RATIO_LOW = 0.5, RATIO_HIGH = 2, ENTROPY_FLOOR = 0.1, ENTROPY_EARLIER = 0.2;
    public static final int CONSTANT_REWARD_STEPS = 5;
    /** The prefix of this class's keys in a checkpoint's extra state. */
    public static final String STATE_PREFIX = "run_health/";

    /** One warning: its name (above), the step, a sentence for the user, and the numbers it rests on. */
    public record Warning(String name, int step, String message, Map<String, Double> numbers) {
        /** The line printed to stderr. */
        public String line() {
            return "warning: step " + step + ": " + message;
        }
    }

    private final Set<String> active = new TreeSet<>();
    private double peakEntropy = Double.NaN;
    /** Per reward function: {first mean, steps seen, 1 while constant so far}. */
    private final Map<String, double[]> rewards = new LinkedHashMap<>();

    /** The warnings that the step's metrics start (none when every check is as before). */
    public List<Warning> check(int step, Stats s) {
        List<Warning> out = new ArrayList<>();
        double clipped = s.mean("completions/clipped_ratio");
        edge(out, step, "clipped_completions", clipped > CLIPPED_RATIO_LIMIT, () -> String.format(Locale.ROOT,
                "%.0f%% of completions hit the length limit without a stop token (completions/clipped_ratio %.3f > %.1f); "
                        + "raise --max-completion-length (PPO: --response-length) or give --stop-token eos",
                100 * clipped, clipped, CLIPPED_RATIO_LIMIT), "completions/clipped_ratio", clipped, "limit", CLIPPED_RATIO_LIMIT);
        double zero = s.mean("frac_reward_zero_std");
        edge(out, step, "zero_reward_std", zero > ZERO_STD_LIMIT, () -> String.format(Locale.ROOT,
                "%.0f%% of groups gave all their completions the same reward, so they teach nothing (frac_reward_zero_std "
                        + "%.3f > %.1f); make the reward finer-grained, the prompts fit the model, or sample more per prompt",
                100 * zero, zero, ZERO_STD_LIMIT), "frac_reward_zero_std", zero, "limit", ZERO_STD_LIMIT);
        double kl = s.mean("objective/kl"), length = s.mean("completions/mean_length"), klPerToken = kl / length;
        edge(out, step, "kl_blowup", klPerToken > KL_PER_TOKEN_LIMIT, () -> String.format(Locale.ROOT,
                "the KL to the reference is %.3f nats per token (objective/kl %.3f over completions/mean_length %.1f > %.0f); "
                        + "lower the learning rate or raise beta", klPerToken, kl, length, KL_PER_TOKEN_LIMIT),
                "objective/kl", kl, "completions/mean_length", length, "kl_per_token", klPerToken, "limit", KL_PER_TOKEN_LIMIT);
        ratio(out, step, s);
        double entropy = !Double.isNaN(s.mean("entropy")) ? s.mean("entropy") : s.mean("policy/entropy_avg");
        boolean collapsed = entropy < ENTROPY_FLOOR && peakEntropy >= ENTROPY_EARLIER;
        double peak = peakEntropy;
        edge(out, step, "entropy_collapse", collapsed, () -> String.format(Locale.ROOT,
                "the mean token entropy fell to %.4f nats (below %.1f; it was %.4f earlier): sampling is nearly greedy and "
                        + "groups stop differing; lower the learning rate, raise beta or the temperature",
                entropy, ENTROPY_FLOOR, peak), "entropy", entropy, "limit", ENTROPY_FLOOR, "entropy_peak", peak);
        if (entropy >= 0 && !(entropy <= peakEntropy)) peakEntropy = entropy;
        constantRewards(out, step, s);
        return out;
    }

    private void ratio(List<Warning> out, int step, Stats s) {
        String clipKey = !Double.isNaN(s.mean("clip_ratio/region_mean")) ? "clip_ratio/region_mean" : "policy/clipfrac_avg";
        double clip = s.mean(clipKey), ratio = s.mean("val/ratio");
        boolean clipBad = clip > CLIP_FRACTION_LIMIT, ratioBad = ratio < RATIO_LOW || ratio > RATIO_HIGH;
        if (ratioBad) {
            edge(out, step, "ratio_blowup", true, () -> String.format(Locale.ROOT,
                    "the mean ratio π/π_old is %.3f (val/ratio outside [%.1f, %.0f]); lower the learning rate or the epochs per batch",
                    ratio, RATIO_LOW, RATIO_HIGH), "val/ratio", ratio, "limit_low", RATIO_LOW, "limit_high", RATIO_HIGH);
        } else {
            edge(out, step, "ratio_blowup", clipBad, () -> String.format(Locale.ROOT,
                    "%.0f%% of the ratios π/π_old were clipped (%s %.3f > %.1f); lower the learning rate or the passes per batch",
                    100 * clip, clipKey, clip, CLIP_FRACTION_LIMIT), clipKey, clip, "limit", CLIP_FRACTION_LIMIT);
        }
    }

    private void constantRewards(List<Warning> out, int step, Stats s) {
        for (Map.Entry<String, Double> e : s.means("").entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("rewards/") || !key.endsWith("/mean")) continue;
            String name = key.substring("rewards/".length(), key.length() - "/mean".length());
            double mean = e.getValue(), std = s.mean("rewards/" + name + "/std");
            double[] r = rewards.computeIfAbsent(name, k -> new double[] {mean, 0, 1});
            if (r[2] == 1 && !(std == 0 && mean == r[0])) r[2] = 0;
            r[1]++;
            if (r[2] == 1 && r[1] == CONSTANT_REWARD_STEPS) {
                out.add(new Warning("constant_reward", step, String.format(Locale.ROOT,
                        "reward '%s' has given every completion the same value, %s, for %d steps; check the function and its "
                                + "dataset columns", name, mean, CONSTANT_REWARD_STEPS),
                        numbers("rewards/" + name + "/mean", mean, "steps", r[1])));
            }
        }
    }

    private interface Message {
        String get();
    }

    /** Adds the warning when the condition has just become true; forgets it when the condition is false. */
    private void edge(List<Warning> out, int step, String name, boolean condition, Message message, Object... numbers) {
        if (!condition) {
            active.remove(name);
            return;
        }
        if (active.add(name)) out.add(new Warning(name, step, message.get(), numbers(numbers)));
    }

    private static Map<String, Double> numbers(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
        return m;
    }

    /** What a checkpoint keeps, keys prefixed {@link #STATE_PREFIX}; only finite values. */
    public Map<String, Double> state() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String a : active) m.put(STATE_PREFIX + "active/" + a, 1.0);
        if (!Double.isNaN(peakEntropy)) m.put(STATE_PREFIX + "peak_entropy", peakEntropy);
        rewards.forEach((name, r) -> {
            m.put(STATE_PREFIX + "reward/" + name + "/first", r[0]);
            m.put(STATE_PREFIX + "reward/" + name + "/steps", r[1]);
            m.put(STATE_PREFIX + "reward/" + name + "/constant", r[2]);
        });
        return m;
    }

    /** Restores {@link #state()}; other keys are ignored. */
    public void restore(Map<String, Double> state) {
        state.forEach((k, v) -> {
            if (!k.startsWith(STATE_PREFIX)) return;
            String key = k.substring(STATE_PREFIX.length());
            if (key.startsWith("active/")) active.add(key.substring("active/".length()));
            else if (key.equals("peak_entropy")) peakEntropy = v;
            else if (key.startsWith("reward/")) {
                int slash = key.lastIndexOf('/');
                String name = key.substring("reward/".length(), slash), field = key.substring(slash + 1);
                double[] r = rewards.computeIfAbsent(name, n -> new double[3]);
                switch (field) {
                    case "first" -> r[0] = v;
                    case "steps" -> r[1] = v;
                    case "constant" -> r[2] = v;
                    default -> { }
                }
            }
        });
    }
}
