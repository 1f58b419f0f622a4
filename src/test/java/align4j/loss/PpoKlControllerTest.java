package align4j.loss;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PpoKlControllerTest {
    @Test
    void adaptiveControllerFollowsZieglerRuleByHand() {
        // init 0.2, target 6, horizon 10000 (TRL legacy defaults).
        PpoKlController c = PpoKlController.adaptive(0.2, 6, 10_000);
        // KL 9: error = clip(9/6 − 1 = 0.5, ±0.2) = 0.2; β = 0.2·(1 + 0.2·256/10000) = 0.2·1.00512 = 0.201024.
        c.update(9, 256);
        assertEquals(0.201024, c.value(), 1e-12);
        // KL 5.4: error = −0.1; β = 0.201024·(1 − 0.1·100/10000) = 0.201024·0.999 = 0.200822976.
        c.update(5.4, 100);
        assertEquals(0.200822976, c.value(), 1e-12);
        // KL on target: no change.
        c.update(6, 1000);
        assertEquals(0.200822976, c.value(), 1e-12);
    }

    @Test
    void fixedControllerNeverMoves() {
        PpoKlController c = PpoKlController.fixed(0.05);
        c.update(100, 1_000_000);
        assertEquals(0.05, c.value());
    }

    @Test
    void klPenBetaHalvesBelowAndDoublesAboveTheBand() {
        // d_targ = 0.01: band [0.01/1.5, 0.015] = [0.00667, 0.015].
        assertEquals(0.5, PpoKlPenalty.adaptBeta(1.0, 0.005, 0.01));
        assertEquals(2.0, PpoKlPenalty.adaptBeta(1.0, 0.02, 0.01));
        assertEquals(1.0, PpoKlPenalty.adaptBeta(1.0, 0.01, 0.01));
        assertEquals(1.0, PpoKlPenalty.adaptBeta(1.0, 0.015, 0.01));
        assertEquals(1.0, PpoKlPenalty.adaptBeta(1.0, 0.01 / 1.5, 0.01));
    }
}
