package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the loop shares an optimizer step among the micro-batches of its accumulation window. */
class TrainLoopAccumulationTest {
    @TempDir
    Path dir;

    /** Records the gradScale each micro-batch trains with; example i weighs i + 1 (or 1 when unweighted). */
    static final class Recorder implements TrainLoop.Task {
        final boolean weighted;
        final List<double[]> calls = new ArrayList<>();

        Recorder(boolean weighted) {
            this.weighted = weighted;
        }

        @Override
        public int size() {
            return 4;
        }

        @Override
        public double weight(int[] examples) {
            return weighted ? examples[0] + 1 : TrainLoop.Task.super.weight(examples);
        }

        @Override
        public Stats train(int[] examples, double gradScale) {
            calls.add(new double[] {examples[0], gradScale});
            return new Stats().add("loss", 0, 1);
        }

        @Override
        public Stats evaluate() {
            return null;
        }

        @Override
        public long tokens(int[] examples) {
            return 1;
        }
    }

    private List<double[]> oneStep(boolean weighted, String run) throws Exception {
        Recorder task = new Recorder(weighted);
        Tensor w = new Tensor("w", 1);
        w.zeroGrad();
        TrainingArgs args = TrainingArgs.defaults(dir.resolve(run)).withLearningRate(1e-3).withBatchSize(1)
                .withEvalBatchSize(1).withGradientAccumulationSteps(4).withNumTrainEpochs(1).withMaxSteps(1)
                .withWarmupSteps(0).withLrSchedulerType("constant").withLoggingSteps(1).withSaveSteps(1000);
        new TrainLoop(args, task, List.of(w), null).run();
        return task.calls;
    }

    @Test
    void microBatchesShareTheStepByTheirWeight() throws Exception {
        // four micro-batches of one example each, weights 1..4 in a shuffled order: gradScale = weight / 10
        List<double[]> calls = oneStep(true, "weighted");
        assertEquals(4, calls.size());
        double sum = 0;
        for (double[] c : calls) {
            assertEquals((c[0] + 1) / 10, c[1], 1e-15, "example " + (int) c[0]);
            sum += c[1];
        }
        assertEquals(1, sum, 1e-12);
        // the default weight is 1: each micro-batch gets 1 / gradient_accumulation_steps, as HF's Trainer divides
        for (double[] c : oneStep(false, "plain")) assertEquals(0.25, c[1]);
    }
}
