package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NaN rule holds in the RL loop as in the supervised one: an optimizer step whose loss is not finite leaves the
 * weights as they were, the last good state is checkpointed, and the run stops naming the step and the checkpoint.
 */
class RlLoopDivergenceTest {
    @TempDir
    Path dir;

    /** One optimizer step per batch on w with gradient 1; its loss is NaN from the third batch on. */
    static final class Diverging implements RlLoop.Algorithm {
        final Tensor w;
        int batches;
        double beta = 1;

        Diverging(Tensor w) {
            this.w = w;
        }

        @Override
        public Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam) {
            batches++;
            w.grad[0] = 1;
            double loss = batches >= 3 ? Double.NaN : 0.5;
            RlLoop.optimizerStep(List.of(w), adam, lr, 1.0, loss);
            beta *= 2;
            return new Stats().add("loss", loss, 1);
        }

        @Override
        public Map<String, Double> state() {
            return Map.of("beta", beta);
        }
    }

    @Test
    void aNanLossCheckpointsTheLastGoodStateAndStops() throws Exception {
        Tensor w = new Tensor("w", 1);
        w.zeroGrad();
        Diverging alg = new Diverging(w);
        TrainingArgs args = TrainingArgs.defaults(dir).withLearningRate(0.1).withBatchSize(2).withMaxSteps(10)
                .withWarmupSteps(0).withLrSchedulerType("constant").withLoggingSteps(1).withSaveSteps(1000);
        int[][] prompts = {{1}, {2}, {3}, {4}};
        TrainLoop.TrainingDiverged e = assertThrows(TrainLoop.TrainingDiverged.class,
                () -> new RlLoop(args, prompts, List.of(w), alg, null).run());
        assertEquals(3, alg.batches, "stops at the bad batch");
        Path ck = Checkpoints.dir(dir, 2);
        assertTrue(e.getMessage().startsWith("step 3: loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains(ck.toString()), e.getMessage());
        assertTrue(Double.isFinite(w.data[0]) && w.data[0] != 0, "two good steps moved w, the bad one did not");
        assertEquals(0f, w.grad[0], "the bad step's gradient is cleared");

        // the checkpoint holds the weights after step 2 and resumes there, the algorithm's scalars included
        JsonNode state = new ObjectMapper().readTree(ck.resolve("trainer_state.json").toFile());
        assertEquals(2, state.get("global_step").asInt());
        assertEquals(4.0, state.get("extra").get("beta").asDouble());
        Tensor restored = new Tensor("w", 1);
        restored.zeroGrad();
        Checkpoints.restore(ck, List.of(restored), new AdamW(List.of(restored), 0.9, 0.999, 1e-8, 0, AdamW.HF_DECAY));
        assertEquals(w.data[0], restored.data[0]);
        assertEquals(2, Files.readAllLines(dir.resolve("metrics.jsonl")).size(), "the two good steps were logged");
    }
}
