package align4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.tensor.Parallel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's headline on reduced sizes (a smaller corpus, fewer pairs, one point per method): DPO raises
 * the gold reward well above the SFT model's at a moderate KL, PPO on the learned reward model and on the
 * gold reward raise it too, and best-of-N improves with N. Bounds are loose against seed noise (the full
 * run's margins are in docs/quickstart.md).
 */
class QuickstartOutcomeTest {
    @TempDir
    Path dir;

    @Test
    void dpoRaisesTheGoldRewardOverSftAtModerateKl() throws Exception {
        QuickstartSettings s = new QuickstartSettings(0, 2, 64, 4, 2000, 2, 3e-3, 32, 200, 4, 0.1,
                new double[] {1.0}, 2, 1e-3, 32, 1, 1e-3, 2, 1e-3,
                new double[] {0.3}, new double[] {0.03}, 20, 64, 1e-3,
                new int[] {1, 8}, 256, 0, 0, 20);
        int threads = Parallel.threads();
        Parallel.setThreads(1); // as the command runs it: the tiny model's kernels are fastest on one thread
        Quickstart.Outcome o;
        try {
            o = new Quickstart(s, dir, new PrintStream(PrintStream.nullOutputStream())).run();
        } finally {
            Parallel.setThreads(threads);
        }
        Map<String, Quickstart.MethodResult> m = new HashMap<>();
        for (Quickstart.MethodResult r : o.methods()) m.put(r.method() + "@" + Quickstart.fmt(r.param()), r);
        double sft = m.get("sft@0").eval().goldReward();
        PolicyEval.Result dpo = m.get("dpo@1").eval();
        System.out.printf("sft %.3f; dpo %.3f at KL %.2f; ppo %.3f at %.2f; ppo-gt %.3f at %.2f; bon1 %.3f bon8 %.3f%n", sft,
                dpo.goldReward(), dpo.kl(), m.get("ppo@0.3").eval().goldReward(), m.get("ppo@0.3").eval().kl(),
                m.get("ppo-gt@0.03").eval().goldReward(), m.get("ppo-gt@0.03").eval().kl(),
                m.get("best-of-n@1").eval().goldReward(), m.get("best-of-n@8").eval().goldReward());
        assertTrue(dpo.goldReward() > sft + 0.15, "DPO " + dpo.goldReward() + " vs SFT " + sft);
        assertTrue(dpo.kl() > 0.1 && dpo.kl() < 6, "DPO's KL " + dpo.kl());
        assertTrue(m.get("ppo@0.3").eval().goldReward() > sft + 0.1, "PPO with the learned reward model");
        assertTrue(m.get("ppo-gt@0.03").eval().goldReward() > sft + 0.1, "PPO-GT");
        assertTrue(m.get("best-of-n@8").eval().goldReward() > m.get("best-of-n@1").eval().goldReward() + 0.15, "best-of-N");
        assertTrue(Math.abs(m.get("best-of-n-gold@1").eval().goldReward() - sft) < 0.1, "best-of-1 is the SFT model");
    }
}
