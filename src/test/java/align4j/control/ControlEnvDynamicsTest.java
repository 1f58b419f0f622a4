package align4j.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each environment replays the action sequences of {@code gym_reference.json}, which
 * {@code gym_reference.py} produced with a NumPy transcription of Gymnasium's step functions, and
 * must reach the same state, reward and termination after every step.
 */
class ControlEnvDynamicsTest {
    private static JsonNode reference;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = ControlEnvDynamicsTest.class.getResourceAsStream("gym_reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void cartPoleFollowsGymnasiumEulerStepsAndTerminatesPastTwelveDegrees() {
        CartPole env = new CartPole();
        JsonNode s0 = reference.get("cartpole").get("start");
        env.setState(s0.get(0).asDouble(), s0.get(1).asDouble(), s0.get(2).asDouble(), s0.get(3).asDouble());
        replay(env, reference.get("cartpole").get("steps"));
    }

    @Test
    void acrobotFollowsGymnasiumRk4BookDynamicsWithRandomTorques() {
        replayAcrobot("acrobot_random");
    }

    @Test
    void acrobotFollowsGymnasiumWhilePumpedUpToTheLineAndTerminates() {
        replayAcrobot("acrobot_pumping");
    }

    @Test
    void mountainCarFollowsGymnasiumThroughTheLeftWallToTheFlag() {
        MountainCar env = new MountainCar();
        JsonNode s0 = reference.get("mountaincar").get("start");
        env.setState(s0.get(0).asDouble(), s0.get(1).asDouble());
        replay(env, reference.get("mountaincar").get("steps"));
    }

    @Test
    void cartPoleFirstStepMatchesHandComputation() {
        // from rest, push right: temp = 10/1.1, θ̈ = −temp/(0.5·(4/3 − 0.1/1.1)), ẍ = temp − 0.05·θ̈/1.1
        CartPole env = new CartPole();
        env.setState(0, 0, 0, 0);
        env.step(1);
        double temp = 10 / 1.1;
        double thetaAcc = -temp / (0.5 * (4.0 / 3.0 - 0.1 / 1.1));
        double xAcc = temp - 0.05 * thetaAcc / 1.1;
        float[] obs = new float[4];
        env.observe(obs, 0);
        assertEquals(0f, obs[0]);
        assertEquals((float) (0.02 * xAcc), obs[1]);
        assertEquals(0f, obs[2]);
        assertEquals((float) (0.02 * thetaAcc), obs[3]);
    }

    @Test
    void episodesStopAtGymnasiumTimeLimits() {
        // CartPole under its controller and MountainCar with no throttle never terminate: 500 and 200 steps
        assertEquals(500, Trajectory.run(new CartPole(), 3, (o, off) -> new CartPole().heuristicAction(o, off)).length());
        Trajectory idle = Trajectory.run(new MountainCar(), 3, (o, off) -> 1);
        assertEquals(200, idle.length());
        assertEquals(-200.0, idle.totalReturn());
    }

    @Test
    void resetDrawsStartStatesFromGymnasiumRanges() {
        SplittableRandom rng = new SplittableRandom(5);
        float[] o = new float[6];
        for (int i = 0; i < 1000; i++) {
            CartPole c = new CartPole();
            c.reset(rng);
            c.observe(o, 0);
            for (int k = 0; k < 4; k++) assertBetween(o[k], -0.05, 0.05);
            Acrobot a = new Acrobot();
            a.reset(rng);
            a.observe(o, 0);
            assertBetween(o[4], -0.1, 0.1);
            assertBetween(o[5], -0.1, 0.1);
            MountainCar m = new MountainCar();
            m.reset(rng);
            m.observe(o, 0);
            assertBetween(o[0], -0.6, -0.4);
            assertEquals(0f, o[1]);
        }
    }

    private static void assertBetween(float v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new AssertionError(v + " not in [" + lo + ", " + hi + "]");
    }

    private static void replayAcrobot(String name) {
        Acrobot env = new Acrobot();
        JsonNode s0 = reference.get(name).get("start");
        env.setState(s0.get(0).asDouble(), s0.get(1).asDouble(), s0.get(2).asDouble(), s0.get(3).asDouble());
        replay(env, reference.get(name).get("steps"));
    }

    /**
     * Steps {@code env} through the recorded actions and compares each observation with the recorded
     * state turned into Gymnasium's observation (float32; cos/sin of the Acrobot's angles).
     */
    private static void replay(ControlEnv env, JsonNode steps) {
        float[] obs = new float[env.observationSize()];
        for (int h = 0; h < steps.size(); h++) {
            JsonNode step = steps.get(h);
            double reward = env.step(step.get("action").asInt());
            env.observe(obs, 0);
            float[] expected = expectedObservation(env, step.get("state"));
            for (int k = 0; k < obs.length; k++) {
                assertEquals(expected[k], obs[k], 1e-7 + 1e-6 * Math.abs(expected[k]),
                        env.id() + " step " + h + " component " + k);
            }
            assertEquals(step.get("reward").asDouble(), reward, env.id() + " reward at step " + h);
            assertEquals(step.get("terminated").asBoolean(), env.terminated(), env.id() + " termination at step " + h);
        }
    }

    private static float[] expectedObservation(ControlEnv env, JsonNode s) {
        if (env instanceof Acrobot) {
            double t1 = s.get(0).asDouble(), t2 = s.get(1).asDouble();
            return new float[] {(float) Math.cos(t1), (float) Math.sin(t1), (float) Math.cos(t2), (float) Math.sin(t2),
                    (float) s.get(2).asDouble(), (float) s.get(3).asDouble()};
        }
        float[] out = new float[s.size()];
        for (int k = 0; k < out.length; k++) out[k] = (float) s.get(k).asDouble();
        return out;
    }
}
