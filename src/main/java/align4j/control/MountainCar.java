package align4j.control;

import java.util.random.RandomGenerator;

/**
 * MountainCar-v0 as Gymnasium defines it ({@code gymnasium/envs/classic_control/mountain_car.py},
 * Farama-Foundation/Gymnasium, after Moore 1990): v ← clip(v + (a − 1)·0.001 − cos(3p)·0.0025, ±0.07),
 * p ← clip(p + v, −1.2, 0.6), v ← 0 when the car hits the left wall; reward −1 every step;
 * termination at p ≥ 0.5 (goal velocity 0), truncation after 200 steps. Start: p uniform in
 * [−0.6, −0.4), v = 0. Actions: 0 left, 1 none, 2 right. Observation: (p, v).
 */
public final class MountainCar implements ControlEnv {
    private static final double MIN_POSITION = -1.2, MAX_POSITION = 0.6;
    private static final double MAX_SPEED = 0.07;
    private static final double GOAL_POSITION = 0.5, GOAL_VELOCITY = 0.0;
    private static final double FORCE = 0.001, GRAVITY = 0.0025;

    private double position, velocity;
    private boolean terminated;

    @Override public String id() { return "MountainCar-v0"; }
    @Override public int observationSize() { return 2; }
    @Override public int actionCount() { return 3; }
    @Override public int maxEpisodeSteps() { return 200; }
    @Override public float[] observationScale() { return new float[] {0.5f, 0.03f}; }

    @Override
    public void reset(RandomGenerator rng) {
        position = rng.nextDouble(-0.6, -0.4);
        velocity = 0;
        terminated = false;
    }

    /** Sets the state directly, for tests against Gymnasium's step. */
    public void setState(double position, double velocity) {
        this.position = position;
        this.velocity = velocity;
        this.terminated = false;
    }

    @Override
    public double step(int action) {
        velocity += (action - 1) * FORCE + Math.cos(3 * position) * (-GRAVITY);
        velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
        position += velocity;
        position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
        if (position == MIN_POSITION && velocity < 0) velocity = 0;
        terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
        return -1.0;
    }

    @Override public boolean terminated() { return terminated; }

    @Override
    public void observe(float[] out, int offset) {
        out[offset] = (float) position;
        out[offset + 1] = (float) velocity;
    }

    /** Push along the velocity, which pumps energy into the swing: right when v ≥ 0, else left. */
    @Override
    public int heuristicAction(float[] obs, int offset) {
        return obs[offset + 1] >= 0 ? 2 : 0;
    }
}
