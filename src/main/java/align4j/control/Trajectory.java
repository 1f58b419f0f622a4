package align4j.control;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One episode: the observation before each action ({@code observations[h·obsSize ..]}), the actions
 * taken, and the undiscounted return. {@code startSeed} fixes the start state, so two trajectories
 * with the same seed start from the same state (the "prompt" x of DPO).
 */
public record Trajectory(long startSeed, float[] observations, int[] actions, double totalReturn) {

    public int length() {
        return actions.length;
    }

    /**
     * Runs one episode of {@code policy} (sampling actions with {@code actionRng}) from the start state
     * that {@code startSeed} draws, until termination or the environment's time limit.
     */
    public static Trajectory sample(ControlEnv env, MlpPolicy policy, long startSeed, RandomGenerator actionRng) {
        return run(env, startSeed, (obs, off) -> policy.sample(obs, off, actionRng));
    }

    /** Runs one episode choosing actions with {@code actor}. */
    static Trajectory run(ControlEnv env, long startSeed, Actor actor) {
        int n = env.observationSize(), max = env.maxEpisodeSteps();
        float[] obs = new float[max * n];
        int[] actions = new int[max];
        env.reset(new SplittableRandom(startSeed));
        double ret = 0;
        int h = 0;
        while (h < max) {
            env.observe(obs, h * n);
            int a = actor.act(obs, h * n);
            actions[h] = a;
            ret += env.step(a);
            h++;
            if (env.terminated()) break;
        }
        return new Trajectory(startSeed, java.util.Arrays.copyOf(obs, h * n), java.util.Arrays.copyOf(actions, h), ret);
    }

    /** Chooses an action for the observation at {@code obs[offset..]}. */
    @FunctionalInterface
    interface Actor {
        int act(float[] obs, int offset);
    }

    /** Σ_h log π(a_h|s_h) over the trajectory. */
    public double logProb(MlpPolicy policy) {
        int n = policy.observationSize();
        double sum = 0;
        for (int h = 0; h < actions.length; h++) sum += policy.logProb(observations, h * n, actions[h]);
        return sum;
    }
}
