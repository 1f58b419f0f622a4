package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void everyTypeMatchesHfLambdas() {
        JsonNode ref = Reference.root().get("schedules");
        int total = ref.get("total_steps").asInt();
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.get("lr").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            LrSchedule s = LrSchedule.of(e.getKey(), ref.get("learning_rate").asDouble(), 0,
                    ref.get("warmup_ratio").asDouble(), total);
            for (int k = 0; k < e.getValue().size(); k++) {
                double expected = e.getValue().get(k).asDouble();
                assertEquals(expected, s.lr(k), 1e-12 * Math.abs(expected) + 1e-20, e.getKey() + " step " + k);
            }
        }
    }

    @Test
    void warmupIsTheCeilingOfRatioTimesStepsUnlessStepsAreGiven() {
        assertEquals(3, LrSchedule.warmupSteps(0, 0.25, 10)); // ceil(2.5)
        assertEquals(1, LrSchedule.warmupSteps(0, 0.01, 10)); // ceil(0.1)
        assertEquals(7, LrSchedule.warmupSteps(7, 0.25, 10));
        assertEquals(0, LrSchedule.warmupSteps(0, 0.0, 10));
    }

    @Test
    void linearRampsUpThenDecaysToZeroAtTheLastStep() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.LINEAR, 1.0, 4, 12);
        assertEquals(0.0, s.lr(0), 0.0);
        assertEquals(0.5, s.lr(2), 0.0);
        assertEquals(1.0, s.lr(4), 0.0);
        assertEquals(0.5, s.lr(8), 0.0);
        assertEquals(0.0, s.lr(12), 0.0);
        assertEquals(0.0, s.lr(15), 0.0);
    }

    @Test
    void cosineIsHalfwayAtTheMiddleOfTheDecay() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.COSINE, 2.0, 2, 12);
        assertEquals(2.0, s.lr(2), 1e-15);
        assertEquals(1.0, s.lr(7), 1e-15);
        assertEquals(0.0, s.lr(12), 1e-15);
    }

    @Test
    void constantIgnoresWarmupAsHfDoes() {
        LrSchedule s = LrSchedule.of("constant", 0.3, 5, 0, 10);
        assertEquals(0.3, s.lr(0), 0.0);
        assertEquals(0.0, LrSchedule.of("constant_with_warmup", 0.3, 5, 0, 10).lr(0), 0.0);
    }

    @Test
    void unknownTypeNamesTheAcceptedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.Type.parse("polynomial"));
        assertTrue(e.getMessage().contains("cosine"), e.getMessage());
    }
}
