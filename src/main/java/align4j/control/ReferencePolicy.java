package align4j.control;

import java.util.SplittableRandom;

/**
 * The reference policy π_ref of trajectory DPO: an {@link MlpPolicy} behaviour-cloned from a noisy
 * version of the environment's hand-written controller ({@link ControlEnv#heuristicAction}).
 * The noisy controller takes a uniformly random action with probability {@code noise} and the
 * heuristic's otherwise, so its action distribution is q(a|s) = (1 − noise)·1[a = h(s)] + noise/|A|.
 * The network is fitted to q by cross-entropy on the states that controller visits.
 *
 * <p>Why this and not a briefly trained REINFORCE policy: the noise level sets how weak π_ref is in
 * one understandable number, it gives every task (MountainCar included, where a random policy never
 * reaches the flag and so every return ties at −200) trajectories whose returns differ, which the
 * Bradley–Terry labels need, and it costs a fraction of a second.
 */
public final class ReferencePolicy {
    private static final int BATCH = 64;
    private static final double LEARNING_RATE = 3e-3;

    private ReferencePolicy() {}

    /**
     * Fits a policy with hidden layers {@code hidden} to the noisy controller over the states of
     * {@code episodes} of its episodes, for {@code epochs} passes with Adam.
     */
    public static MlpPolicy behaviourClone(ControlEnv env, int[] hidden, double noise, int episodes, int epochs,
                                           long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = env.observationSize(), actions = env.actionCount();
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = n;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = actions;
        MlpPolicy policy = new MlpPolicy(sizes, env.observationScale(), rng.split());

        SplittableRandom noiseRng = rng.split();
        Trajectory[] data = new Trajectory[episodes];
        int states = 0;
        for (int e = 0; e < episodes; e++) {
            data[e] = Trajectory.run(env, rng.nextLong(), (obs, off) ->
                    noiseRng.nextDouble() < noise ? noiseRng.nextInt(actions) : env.heuristicAction(obs, off));
            states += data[e].length();
        }
        float[] obs = new float[states * n];
        int[] target = new int[states];
        int k = 0;
        for (Trajectory t : data) {
            System.arraycopy(t.observations(), 0, obs, k * n, t.length() * n);
            for (int h = 0; h < t.length(); h++) target[k + h] = env.heuristicAction(t.observations(), h * n);
            k += t.length();
        }

        Adam adam = new Adam(policy.parameterCount(), LEARNING_RATE);
        float[] grad = new float[policy.parameterCount()];
        float[] dLogits = new float[actions];
        double[] probs = new double[actions];
        int[] order = new int[states];
        for (int i = 0; i < states; i++) order[i] = i;
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, rng);
            for (int start = 0; start < states; start += BATCH) {
                int end = Math.min(states, start + BATCH);
                java.util.Arrays.fill(grad, 0f);
                for (int j = start; j < end; j++) {
                    int i = order[j];
                    policy.probabilities(obs, i * n, probs);
                    // cross-entropy −Σ_a q(a) log π(a|s): d/dlogits = π − q
                    for (int a = 0; a < actions; a++) {
                        double q = (a == target[i] ? 1 - noise : 0) + noise / actions;
                        dLogits[a] = (float) ((probs[a] - q) / (end - start));
                    }
                    policy.backward(dLogits, grad);
                }
                adam.step(policy.parameters(), grad);
            }
        }
        return policy;
    }

    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
