package align4j.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trajectory DPO end to end; each run takes about a second (the class well under 60 s on one core). */
class TrajectoryDpoTest {
    /** Fewer pairs and epochs than the CLI's defaults, enough for a clear gain. */
    private static ControlDpoConfig smallCartPole(long seed) {
        return new ControlDpoConfig("cartpole", seed, 0.1, 200, 5, 16, 1e-3, 10.0, 100, 32, 0.6);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 2})
    void dpoOnCartPoleRaisesMeanReturnWellAboveTheReference(long seed) {
        ControlDpoResult r = TrajectoryDpo.run(smallCartPole(seed), null);
        // measured: reference ≈ 96–102, DPO ≈ 259–263 over 100 episodes (std of a mean ≈ 5 and 15)
        assertTrue(r.referenceReturn() < 150, "reference should be weak: " + r.referenceReturn());
        assertTrue(r.policyReturn() > 1.5 * r.referenceReturn() + 30,
                "reference " + r.referenceReturn() + " → DPO " + r.policyReturn());
        assertTrue(r.labelAgreement() > 0.8, "labels mostly pick the higher return: " + r.labelAgreement());
    }

    @Test
    void zeroEpochsLeaveThePolicyEqualToTheReference() {
        ControlDpoConfig c = new ControlDpoConfig("cartpole", 4, 0.1, 10, 0, 16, 1e-3, 10.0, 20, 32, 0.6);
        ControlDpoResult r = TrajectoryDpo.run(c, null);
        assertEquals(r.referenceReturn(), r.policyReturn());
    }

    @Test
    void runsAreDeterministicForTheirSeed() {
        ControlDpoConfig c = new ControlDpoConfig("cartpole", 7, 0.1, 20, 1, 8, 1e-3, 10.0, 10, 16, 0.6);
        ControlDpoResult a = TrajectoryDpo.run(c, null), b = TrajectoryDpo.run(c, null);
        assertArrayEquals(new double[] {a.referenceReturn(), a.policyReturn(), a.finalLoss()},
                new double[] {b.referenceReturn(), b.policyReturn(), b.finalLoss()});
    }

    @ParameterizedTest
    @ValueSource(strings = {"acrobot", "mountaincar"})
    void acrobotAndMountainCarRunEndToEndWithFiniteNumbers(String env) {
        ControlDpoConfig c = new ControlDpoConfig(env, 0, 0.1, 20, 2, 8, 1e-3, 10.0, 10, 16,
                ControlDpoConfig.defaults(env).referenceNoise());
        ControlDpoResult r = TrajectoryDpo.run(c, null);
        int max = ControlEnv.create(env).maxEpisodeSteps();
        for (double v : new double[] {r.referenceReturn(), r.policyReturn()}) {
            assertTrue(v >= -max && v <= 0, env + " return " + v);
        }
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0, "loss " + r.finalLoss());
    }
}
