package align4j.control;

import java.util.random.RandomGenerator;

/**
 * A classic control task with discrete actions, stepped as Gymnasium steps it (including its
 * {@code TimeLimit} truncation). The state is held in doubles as Gymnasium's NumPy code holds it;
 * observations are floats as Gymnasium returns them ({@code dtype=np.float32}).
 */
public sealed interface ControlEnv permits CartPole, Acrobot, MountainCar {

    /** The names the CLI accepts, in the order the help lists them. */
    java.util.List<String> NAMES = java.util.List.of("cartpole", "acrobot", "mountaincar");

    /** A fresh environment by CLI name ({@code cartpole}, {@code acrobot}, {@code mountaincar}). */
    static ControlEnv create(String name) {
        return switch (name) {
            case "cartpole" -> new CartPole();
            case "acrobot" -> new Acrobot();
            case "mountaincar" -> new MountainCar();
            default -> throw new IllegalArgumentException(
                    "unknown environment '" + name + "'; expected one of " + NAMES);
        };
    }

    /** Gymnasium's id, e.g. {@code CartPole-v1}. */
    String id();

    int observationSize();

    int actionCount();

    /** The {@code max_episode_steps} Gymnasium registers for this id (its {@code TimeLimit}). */
    int maxEpisodeSteps();

    /** Typical magnitude of each observation component; policies divide inputs by it. */
    float[] observationScale();

    /** Draws a start state as Gymnasium's {@code reset} does (same distribution, not the same RNG). */
    void reset(RandomGenerator rng);

    /** Applies an action and returns this step's reward. */
    double step(int action);

    /** Whether the last step reached a terminal state (not counting truncation by the time limit). */
    boolean terminated();

    /** Writes the current observation at {@code out[offset..offset+observationSize())}. */
    void observe(float[] out, int offset);

    /**
     * A hand-written controller that solves the task most of the time; the reference policy is
     * behaviour-cloned from a noisy version of it ({@link ReferencePolicy}).
     */
    int heuristicAction(float[] obs, int offset);
}
