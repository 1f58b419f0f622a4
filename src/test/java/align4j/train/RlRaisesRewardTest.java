package align4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.loss.GrpoLoss;
import align4j.model.ModelConfig;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RL commands' acceptance test on a task whose optimum is known: the reward is the fraction of sampled
 * tokens equal to a target token (optimum 1: emit only the target; a random tiny model starts near
 * 1/16). PPO, GRPO and RLOO must raise the true reward, measured on fresh samples from the trained
 * policy, while the measured KL(π‖π_ref) (mean over those samples of Σ_t log π − log π_ref, at T = 1)
 * stays below the KL of the reward-optimal policy (always emit the target:
 * Σ_t −log π_ref(target | prompt, target^t), averaged over the evaluation prompts), which any β &gt; 0
 * keeps strictly out of reach; and a larger KL coefficient must give a smaller KL.
 */
class RlRaisesRewardTest {
    static final int TARGET = 3, LEN = 6, PROMPTS = 32, EVAL = 128;
    @TempDir
    Path dir;

    record Outcome(double rewardBefore, double rewardAfter, double kl, double klOfOptimum) {}

    @Test
    void ppoRaisesRewardWithBoundedKl() throws Exception {
        Outcome o = ppo(0.05, 1);
        System.out.printf("ppo kl_coef=0.05: reward %.3f -> %.3f, KL %.3f (optimum's %.3f)%n", o.rewardBefore, o.rewardAfter, o.kl, o.klOfOptimum);
        assertTrue(o.rewardAfter > o.rewardBefore + 0.3, "reward " + o.rewardBefore + " -> " + o.rewardAfter);
        assertTrue(o.kl < o.klOfOptimum, "KL " + o.kl + " vs the optimum's " + o.klOfOptimum);
    }

    @Test
    void ppoKlIsSmallerWithALargerCoefficient() throws Exception {
        Outcome small = ppo(0.01, 2), large = ppo(1.0, 2);
        System.out.printf("ppo kl_coef=0.01: reward %.3f KL %.3f; kl_coef=1: reward %.3f KL %.3f%n",
                small.rewardAfter, small.kl, large.rewardAfter, large.kl);
        assertTrue(large.kl < small.kl, "KL " + large.kl + " (β=1) vs " + small.kl + " (β=0.01)");
    }

    @Test
    void grpoRaisesRewardWithBoundedKl() throws Exception {
        Outcome o = group(GrpoConfig.Estimator.GRPO, 0.04, 3);
        System.out.printf("grpo beta=0.04: reward %.3f -> %.3f, KL %.3f (optimum's %.3f)%n", o.rewardBefore, o.rewardAfter, o.kl, o.klOfOptimum);
        assertTrue(o.rewardAfter > o.rewardBefore + 0.3, "reward " + o.rewardBefore + " -> " + o.rewardAfter);
        assertTrue(o.kl < o.klOfOptimum, "KL " + o.kl + " vs the optimum's " + o.klOfOptimum);
    }

    @Test
    void rlooRaisesRewardWithBoundedKl() throws Exception {
        Outcome o = group(GrpoConfig.Estimator.RLOO, 0.05, 4);
        System.out.printf("rloo beta=0.05: reward %.3f -> %.3f, KL %.3f (optimum's %.3f)%n", o.rewardBefore, o.rewardAfter, o.kl, o.klOfOptimum);
        assertTrue(o.rewardAfter > o.rewardBefore + 0.3, "reward " + o.rewardBefore + " -> " + o.rewardAfter);
        assertTrue(o.kl < o.klOfOptimum, "KL " + o.kl + " vs the optimum's " + o.klOfOptimum);
    }

    @Test
    void grpoKlIsSmallerWithALargerBeta() throws Exception {
        Outcome none = group(GrpoConfig.Estimator.GRPO, 0.0, 5), strong = group(GrpoConfig.Estimator.GRPO, 1.0, 6);
        System.out.printf("grpo beta=0: reward %.3f KL %.3f; beta=1: reward %.3f KL %.3f%n",
                none.rewardAfter, none.kl, strong.rewardAfter, strong.kl);
        assertTrue(strong.kl < none.kl, "KL " + strong.kl + " (β=1) vs " + none.kl + " (β=0)");
    }

    @Test
    void ppoKlpenRaisesRewardWithBoundedKl() throws Exception {
        // d_targ per token: 0.01 for the step-to-step KL to π_old; 1.0 for the KL to the reference, which accumulates
        Outcome toOld = ppo(0.05, 7, PpoConfig.PolicyLoss.KLPEN, false, 0.01), toRef = ppo(0.0, 8, PpoConfig.PolicyLoss.KLPEN, true, 1.0);
        System.out.printf("ppo-klpen (KL to π_old, kl_coef 0.05): reward %.3f -> %.3f, KL %.3f; (k3 to ref in the loss, kl_coef 0): reward -> %.3f, KL %.3f%n",
                toOld.rewardBefore, toOld.rewardAfter, toOld.kl, toRef.rewardAfter, toRef.kl);
        for (Outcome o : List.of(toOld, toRef)) {
            assertTrue(o.rewardAfter > o.rewardBefore + 0.3, "reward " + o.rewardBefore + " -> " + o.rewardAfter);
            assertTrue(o.kl < o.klOfOptimum, "KL " + o.kl + " vs the optimum's " + o.klOfOptimum);
        }
    }

    Outcome ppo(double klCoef, int run) throws Exception {
        return ppo(klCoef, run, PpoConfig.PolicyLoss.CLIP, false, 0.01);
    }

    /** KLPEN starts at β = 0.1 (then ×2 / ÷2 after each batch toward klpenTarget). */
    Outcome ppo(double klCoef, int run, PpoConfig.PolicyLoss loss, boolean klpenToRef, double klpenTarget) throws Exception {
        Setup s = new Setup();
        ScalarHead vh = RolloutLogps.newValueHead(s.cfg.hidden());
        PpoConfig pc = PpoConfig.defaults().withNumMiniBatches(2).withKlCoef(klCoef).withTemperature(1.0).withResponseLength(LEN)
                .withPolicyLoss(loss).withKlpenBeta(0.1).withKlpenTarget(klpenTarget).withKlpenToReference(klpenToRef);
        RolloutLogps policy = new RolloutLogps(s.policy, vh, 1.0);
        PpoTrainer ppo = new PpoTrainer(policy, new RolloutLogps(s.ref, null, 1.0), s.sampler(), RewardFunction.targetToken(TARGET), pc, 1.0, 1);
        return s.run(ppo, policy.parameters(), 16, 30, 3e-3, run);
    }

    Outcome group(GrpoConfig.Estimator est, double beta, int run) throws Exception {
        Setup s = new Setup();
        GrpoConfig gc = GrpoConfig.grpoDefaults().withEstimator(est).withNumGenerations(4).withBeta(beta)
                .withLossType(GrpoLoss.LossType.GRPO).withMaxCompletionLength(LEN);
        RolloutLogps policy = new RolloutLogps(s.policy, null, 1.0);
        GrpoTrainer g = new GrpoTrainer(policy, new RolloutLogps(s.ref, null, 1.0), s.sampler(), RewardFunction.targetToken(TARGET), gc, 1.0, 1);
        return s.run(g, policy.parameters(), 8, 30, 1e-2, run);
    }

    /** A random tiny policy, its frozen copy as the reference, and random prompts. */
    final class Setup {
        final ModelConfig cfg = RlFixtures.config();
        final Map<String, Tensor> w = RlFixtures.weights(cfg, 77, 0.0);
        final Transformer policy = RlFixtures.trainable(cfg, RlFixtures.copy(w));
        final Transformer ref = new Transformer(cfg, RlFixtures.copy(w));
        final int[][] prompts = new int[PROMPTS][];

        Setup() {
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < PROMPTS; i++) prompts[i] = RlFixtures.ids(rnd, 2 + rnd.nextInt(3), cfg.vocabSize());
        }

        RolloutSampler sampler() {
            return new PolicySampler(policy, 1.0, 0, 1.0, LEN, new int[0]);
        }

        Outcome run(RlLoop.Algorithm alg, List<Tensor> params, int batch, int steps, double lr, int run) throws Exception {
            double before = trueReward();
            TrainingArgs args = TrainingArgs.defaults(dir.resolve("run" + run)).withLearningRate(lr).withBatchSize(batch)
                    .withEvalBatchSize(batch).withNumTrainEpochs(1).withMaxSteps(steps).withWarmupSteps(0)
                    .withLrSchedulerType("constant").withLoggingSteps(5).withSaveSteps(1000);
            new RlLoop(args, prompts, new ArrayList<>(params), alg, null).run();
            double after = trueReward();
            return new Outcome(before, after, kl(), klOfOptimum());
        }

        /** KL(π*‖π_ref) of π* = always emit the target: Σ_t −log π_ref(target | prompt, target^t), mean over prompts. */
        double klOfOptimum() {
            int[][] p = prompts, c = new int[PROMPTS][];
            for (int i = 0; i < PROMPTS; i++) {
                c[i] = new int[LEN];
                Arrays.fill(c[i], TARGET);
            }
            Rollouts r = new Rollouts(p, c, new boolean[PROMPTS]);
            return -GrpoTrainer.sequenceKl(new RolloutLogps(ref, null, 1.0).logps(r), new float[r.completionTokens()], r.offsets());
        }

        Rollouts eval() {
            int[][] p = new int[EVAL][];
            for (int i = 0; i < EVAL; i++) p[i] = prompts[i % PROMPTS];
            return new PolicySampler(policy, 1.0, 0, 1.0, LEN, new int[0]).sample(p, 1, 12345);
        }

        double trueReward() {
            float[] s = RewardFunction.targetToken(TARGET).score(eval());
            double m = 0;
            for (float x : s) m += x / s.length;
            return m;
        }

        double kl() {
            Rollouts r = eval();
            float[] lp = new RolloutLogps(policy, null, 1.0).logps(r), lr = new RolloutLogps(ref, null, 1.0).logps(r);
            return GrpoTrainer.sequenceKl(lp, lr, r.offsets());
        }
    }
}
