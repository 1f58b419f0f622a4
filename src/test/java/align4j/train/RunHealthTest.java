package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RunHealth on streams of step metrics: each warning fires once per occurrence, with its numbers. */
class RunHealthTest {
    /** The warnings of a stream of steps (steps numbered from 1), each step one metric with the given values. */
    static List<RunHealth.Warning> feed(RunHealth h, String metric, double... values) {
        List<RunHealth.Warning> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) out.addAll(h.check(i + 1, new Stats().add(metric, values[i], 1)));
        return out;
    }

    @Test
    void clippedCompletionsWarnOncePerOccurrence() {
        List<RunHealth.Warning> w = feed(new RunHealth(), "completions/clipped_ratio", 0.2, 0.6, 0.8, 0.3, 0.7);
        assertEquals(2, w.size(), w.toString());
        assertEquals("clipped_completions", w.get(0).name());
        assertEquals(2, w.get(0).step());
        assertEquals(Map.of("completions/clipped_ratio", 0.6, "limit", 0.5), w.get(0).numbers());
        assertTrue(w.get(0).line().startsWith("warning: step 2: 60% of completions hit the length limit"), w.get(0).line());
        assertEquals(5, w.get(1).step());
    }

    @Test
    void zeroRewardSpreadWarns() {
        List<RunHealth.Warning> w = feed(new RunHealth(), "frac_reward_zero_std", 0.75, 1.0, 0.5);
        assertEquals(1, w.size());
        assertEquals("zero_reward_std", w.get(0).name());
        assertEquals(0.75, w.get(0).numbers().get("frac_reward_zero_std"));
    }

    @Test
    void klAndRatioBlowUpsWarn() {
        // per token: objective/kl over completions/mean_length 4: 0.125, 0.75, 3, 3.75 nats
        RunHealth h = new RunHealth();
        List<RunHealth.Warning> kl = new ArrayList<>();
        double[] perCompletion = {0.5, 3, 12, 15};
        for (int i = 0; i < 4; i++) kl.addAll(h.check(i + 1, new Stats().add("objective/kl", perCompletion[i], 1).add("completions/mean_length", 4, 1)));
        assertEquals(1, kl.size());
        assertEquals(3, kl.get(0).step());
        assertEquals(12.0, kl.get(0).numbers().get("objective/kl"));
        assertEquals(3.0, kl.get(0).numbers().get("kl_per_token"));
        List<RunHealth.Warning> clip = feed(new RunHealth(), "clip_ratio/region_mean", 0.1, 0.4);
        assertEquals("ratio_blowup", clip.get(0).name());
        assertEquals(0.4, clip.get(0).numbers().get("clip_ratio/region_mean"));
        List<RunHealth.Warning> ppo = feed(new RunHealth(), "val/ratio", 1.0, 1.1, 2.5);
        assertEquals(1, ppo.size());
        assertEquals(2.5, ppo.get(0).numbers().get("val/ratio"));
    }

    @Test
    void entropyCollapseNeedsAnEarlierHigherEntropy() {
        List<RunHealth.Warning> w = feed(new RunHealth(), "entropy", 1.0, 0.5, 0.05, 0.04);
        assertEquals(1, w.size());
        assertEquals("entropy_collapse", w.get(0).name());
        assertEquals(3, w.get(0).step());
        assertEquals(0.05, w.get(0).numbers().get("entropy"));
        assertEquals(1.0, w.get(0).numbers().get("entropy_peak"));
        assertTrue(feed(new RunHealth(), "entropy", 0.05, 0.04, 0.03).isEmpty(), "a run that starts near-greedy did not collapse");
        assertEquals(1, feed(new RunHealth(), "policy/entropy_avg", 2.0, 0.01).size(), "PPO's name");
    }

    @Test
    void aConstantRewardFunctionWarnsOnceAfterFiveSteps() {
        RunHealth h = new RunHealth();
        List<RunHealth.Warning> w = new ArrayList<>();
        for (int step = 1; step <= 8; step++) {
            Stats s = new Stats().add("rewards/format/mean", 0, 1).add("rewards/format/std", 0, 1)
                    .add("rewards/accuracy/mean", step % 2, 1).add("rewards/accuracy/std", 0, 1);
            w.addAll(h.check(step, s));
        }
        assertEquals(1, w.size(), w.toString());
        assertEquals("constant_reward", w.get(0).name());
        assertEquals(5, w.get(0).step());
        assertTrue(w.get(0).message().contains("'format'"), w.get(0).message());
        assertEquals(Map.of("rewards/format/mean", 0.0, "steps", 5.0), w.get(0).numbers());
    }

    /** A run resumed from its checkpointed state warns as the uninterrupted one. */
    @Test
    void stateCarriesAcrossAResume() {
        double[] clipped = {0.9, 0.9, 0.1, 0.9}, entropy = {1.0, 0.5, 0.05, 0.02};
        RunHealth whole = new RunHealth(), first = new RunHealth(), resumed = new RunHealth();
        List<String> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Stats s = new Stats().add("completions/clipped_ratio", clipped[i], 1).add("entropy", entropy[i], 1)
                    .add("rewards/r/mean", 1, 1).add("rewards/r/std", 0, 1);
            whole.check(i + 1, s).forEach(w -> a.add(w.line()));
            if (i < 2) first.check(i + 1, s).forEach(w -> b.add(w.line()));
            if (i == 2) resumed.restore(first.state());
            if (i >= 2) resumed.check(i + 1, s).forEach(w -> b.add(w.line()));
        }
        assertEquals(a, b);
        assertEquals(whole.state(), resumed.state());
    }
}
