package align4j.control;

import align4j.loss.DpoLoss;
import align4j.loss.Logistic;
import align4j.loss.LossType;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * DPO on whole trajectories of a control task (docs/references.md#dpo-on-trajectories): the
 * environment's transition probabilities are unknown, but they appear in both ρ_π(τ) = Π_h π(a_h|s_h)·P(s_{h+1}|s_h, a_h) and ρ_ref(τ), so
 * log ρ_π(τ)/ρ_ref(τ) = Σ_h log π(a_h|s_h)/π_ref(a_h|s_h), which only the policies decide.
 *
 * <p>The run: clone π_ref ({@link ReferencePolicy}); sample pairs of π_ref trajectories, the two of a
 * pair from the same start state (the "prompt"); label each pair by one Bradley–Terry draw on the
 * returns, P(τ_a ≻ τ_b) = σ((R_a − R_b)/T); start π_θ at π_ref and minimise the DPO loss
 * −log σ(β·Δ), Δ = log ρ_θ(τ_w)/ρ_ref(τ_w) − log ρ_θ(τ_l)/ρ_ref(τ_l), with Adam; then compare the
 * mean return of π_ref and π_θ over the same evaluation start states.
 */
public final class TrajectoryDpo {
    private TrajectoryDpo() {}

    /** A labelled pair: the preferred and the other trajectory, with their log ρ_ref cached once. */
    record Pair(Trajectory chosen, Trajectory rejected, double refLogpChosen, double refLogpRejected) {}

    /** One run with {@code config}; progress lines go to {@code log} when it is not null. */
    public static ControlDpoResult run(ControlDpoConfig config, PrintStream log) {
        long t0 = System.nanoTime();
        ControlEnv env = ControlEnv.create(config.env());
        SplittableRandom root = new SplittableRandom(config.seed());
        MlpPolicy reference = ReferencePolicy.behaviourClone(env, new int[] {config.hidden(), config.hidden()},
                config.referenceNoise(), ControlDpoConfig.REFERENCE_EPISODES, ControlDpoConfig.REFERENCE_EPOCHS,
                root.nextLong());

        SplittableRandom sampleRng = root.split();
        SplittableRandom labelRng = root.split();
        Pair[] pairs = new Pair[config.pairs()];
        double agreement = 0, gap = 0;
        for (int i = 0; i < pairs.length; i++) {
            long start = sampleRng.nextLong();
            Trajectory a = Trajectory.sample(env, reference, start, sampleRng);
            Trajectory b = Trajectory.sample(env, reference, start, sampleRng);
            double p = Logistic.sigmoid((a.totalReturn() - b.totalReturn()) / config.temperature());
            boolean aWins = labelRng.nextDouble() < p;
            Trajectory w = aWins ? a : b, l = aWins ? b : a;
            pairs[i] = new Pair(w, l, w.logProb(reference), l.logProb(reference));
            double d = w.totalReturn() - l.totalReturn();
            agreement += d > 0 ? 1 : d == 0 ? 0.5 : 0;
            gap += Math.abs(d);
        }
        agreement /= pairs.length;
        gap /= pairs.length;
        if (log != null) {
            log.printf("%s: %d pairs from the reference, labels agree with the higher return on %.1f%%, mean |ΔR| %.1f%n",
                    env.id(), pairs.length, 100 * agreement, gap);
        }

        MlpPolicy policy = reference.copy();
        double[] lastEpoch = train(policy, pairs, config, root.split(), log);

        long evalSeed = root.nextLong();
        double[] refReturns = evaluate(env, reference, config.evalEpisodes(), evalSeed);
        double[] polReturns = evaluate(env, policy, config.evalEpisodes(), evalSeed);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new ControlDpoResult(mean(refReturns), std(refReturns), mean(polReturns), std(polReturns),
                agreement, gap, lastEpoch[0], lastEpoch[1], seconds);
    }

    /** DPO epochs over the pairs; returns {mean loss, reward accuracy} of the last epoch. */
    static double[] train(MlpPolicy policy, Pair[] pairs, ControlDpoConfig config, SplittableRandom rng,
                          PrintStream log) {
        int n = policy.observationSize();
        float[] grad = new float[policy.parameterCount()];
        float[] dLogits = new float[policy.actionCount()];
        Adam adam = new Adam(policy.parameterCount(), config.learningRate());
        int[] order = new int[pairs.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        DpoLoss loss = DpoLoss.of(LossType.SIGMOID, config.beta());
        double lossSum = Double.NaN, accuracy = Double.NaN;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            ReferencePolicy.shuffle(order, rng);
            lossSum = 0;
            int correct = 0;
            for (int start = 0; start < pairs.length; start += config.batchSize()) {
                int end = Math.min(pairs.length, start + config.batchSize());
                Arrays.fill(grad, 0f);
                int b = end - start;
                double[] pc = new double[b], pl = new double[b], rc = new double[b], rl = new double[b];
                for (int j = start; j < end; j++) {
                    Pair pr = pairs[order[j]];
                    pc[j - start] = pr.chosen().logProb(policy);
                    pl[j - start] = pr.rejected().logProb(policy);
                    rc[j - start] = pr.refLogpChosen();
                    rl[j - start] = pr.refLogpRejected();
                }
                // The trajectory log-ratios are sums over steps, so DpoLoss's gradient with respect to a
                // summed log-prob is the weight of every step's ∇log π(a_h|s_h) in that trajectory.
                DpoLoss.Result r = loss.compute(new DpoLoss.Inputs(pc, pl, rc, rl, null, null));
                for (int j = start; j < end; j++) {
                    Pair pr = pairs[order[j]];
                    int i = j - start;
                    lossSum += r.losses()[i];
                    if (r.chosenRewards()[i] > r.rejectedRewards()[i]) correct++;
                    accumulate(policy, pr.chosen(), r.dChosen()[i], n, dLogits, grad);
                    accumulate(policy, pr.rejected(), r.dRejected()[i], n, dLogits, grad);
                }
                adam.step(policy.parameters(), grad);
            }
            lossSum /= pairs.length;
            accuracy = (double) correct / pairs.length;
            if (log != null) log.printf("epoch %d/%d  loss %.4f  rewards/accuracies %.3f%n",
                    epoch + 1, config.epochs(), lossSum, accuracy);
        }
        return new double[] {lossSum, accuracy};
    }

    private static void accumulate(MlpPolicy policy, Trajectory t, double scale, int n, float[] dLogits, float[] grad) {
        int[] actions = t.actions();
        for (int h = 0; h < actions.length; h++) {
            policy.accumulateLogProbGradient(t.observations(), h * n, actions[h], scale, dLogits, grad);
        }
    }

    /**
     * Returns of {@code episodes} episodes of {@code policy}; episode i's start state and action draws
     * depend only on ({@code seed}, i), so two policies evaluated with one seed meet the same starts.
     */
    public static double[] evaluate(ControlEnv env, MlpPolicy policy, int episodes, long seed) {
        double[] returns = new double[episodes];
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < episodes; i++) {
            long start = seeds.nextLong();
            returns[i] = Trajectory.sample(env, policy, start, new SplittableRandom(seeds.nextLong())).totalReturn();
        }
        return returns;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    static double std(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }
}
