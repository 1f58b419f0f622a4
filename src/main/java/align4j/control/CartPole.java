package align4j.control;

import java.util.random.RandomGenerator;

/**
 * CartPole-v1 as Gymnasium defines it ({@code gymnasium/envs/classic_control/cartpole.py},
 * Farama-Foundation/Gymnasium): Barto, Sutton &amp; Anderson's cart-pole, explicit Euler steps of
 * tau = 0.02 s, force ±10 N, reward +1 for every step including the terminating one, termination
 * when |x| &gt; 2.4 or |θ| &gt; 12°, truncation after 500 steps; start state uniform in (−0.05, 0.05)⁴.
 * Actions: 0 pushes left, 1 pushes right. Observation: (x, ẋ, θ, θ̇).
 */
public final class CartPole implements ControlEnv {
    private static final double GRAVITY = 9.8;
    private static final double MASS_CART = 1.0;
    private static final double MASS_POLE = 0.1;
    private static final double TOTAL_MASS = MASS_POLE + MASS_CART;
    private static final double LENGTH = 0.5; // half the pole's length, as in Gymnasium
    private static final double POLEMASS_LENGTH = MASS_POLE * LENGTH;
    private static final double FORCE_MAG = 10.0;
    private static final double TAU = 0.02;
    private static final double THETA_THRESHOLD = 12 * 2 * Math.PI / 360;
    private static final double X_THRESHOLD = 2.4;

    private double x, xDot, theta, thetaDot;
    private boolean terminated;

    @Override public String id() { return "CartPole-v1"; }
    @Override public int observationSize() { return 4; }
    @Override public int actionCount() { return 2; }
    @Override public int maxEpisodeSteps() { return 500; }
    @Override public float[] observationScale() { return new float[] {1f, 1f, 0.2f, 1f}; }

    @Override
    public void reset(RandomGenerator rng) {
        x = rng.nextDouble(-0.05, 0.05);
        xDot = rng.nextDouble(-0.05, 0.05);
        theta = rng.nextDouble(-0.05, 0.05);
        thetaDot = rng.nextDouble(-0.05, 0.05);
        terminated = false;
    }

    /** Sets the state directly (tests compare against Gymnasium's step from a given state). */
    public void setState(double x, double xDot, double theta, double thetaDot) {
        this.x = x;
        this.xDot = xDot;
        this.theta = theta;
        this.thetaDot = thetaDot;
        this.terminated = false;
    }

    @Override
    public double step(int action) {
        double force = action == 1 ? FORCE_MAG : -FORCE_MAG;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        // cartpole.py step(): see https://coneural.org/florian/papers/05_cart_pole.pdf
        double temp = (force + POLEMASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp)
                / (LENGTH * (4.0 / 3.0 - MASS_POLE * cos * cos / TOTAL_MASS));
        double xAcc = temp - POLEMASS_LENGTH * thetaAcc * cos / TOTAL_MASS;
        // kinematics_integrator = "euler": positions advance with the old velocities
        x = x + TAU * xDot;
        xDot = xDot + TAU * xAcc;
        theta = theta + TAU * thetaDot;
        thetaDot = thetaDot + TAU * thetaAcc;
        terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
        return 1.0;
    }

    @Override public boolean terminated() { return terminated; }

    @Override
    public void observe(float[] out, int offset) {
        out[offset] = (float) x;
        out[offset + 1] = (float) xDot;
        out[offset + 2] = (float) theta;
        out[offset + 3] = (float) thetaDot;
    }

    /** Push the cart under the falling pole: right when θ + 0.5·θ̇ + 0.05·ẋ &gt; 0. Alone it holds 500 steps. */
    @Override
    public int heuristicAction(float[] obs, int offset) {
        return obs[offset + 2] + 0.5f * obs[offset + 3] + 0.05f * obs[offset + 1] > 0 ? 1 : 0;
    }
}
