package align4j.api;

import align4j.tensor.Tensor;
import align4j.train.ProgressDisplay;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The steps every supervised job (SFT, DPO, reward model) shares once its task is built: make the trained tensors
 * trainable, run {@link TrainLoop} with a progress bar, and freeze them again, so that the model holds no
 * gradients after training and can be saved or used for sampling. A run that diverges stops with
 * {@link TrainLoop.TrainingDiverged}, its last good state checkpointed.
 */
final class Training {
    private Training() {}

    /**
     * Trains task's examples over the trained tensors; name labels the progress bar; onStep (may be null: a
     * callback, as TRL's TrainerCallback.on_step_end) is told of every step after the progress bar.
     */
    static TrainResult run(String name, TrainingArgs args, TrainLoop.Task task, List<Tensor> trained, TrainLoop.Listener onStep)
            throws IOException {
        return run(name, args, args.totalSteps(task.size()), trained,
                progress -> new TrainLoop(args, task, trained, then(progress, onStep)).run());
    }

    /** The listener that tells first, then second (when not null). */
    static TrainLoop.Listener then(TrainLoop.Listener first, TrainLoop.Listener second) {
        if (second == null) return first;
        return (step, total, loss, tokens) -> {
            first.onStep(step, total, loss, tokens);
            second.onStep(step, total, loss, tokens);
        };
    }

    /** A training loop that tells the given listener (the progress bar) of each step and returns the last metrics. */
    interface Loop {
        Map<String, Double> run(TrainLoop.Listener listener) throws IOException;
    }

    /** As above for a loop of total steps of any kind ({@link align4j.train.RlLoop} for the online RL jobs). */
    static TrainResult run(String name, TrainingArgs args, int total, List<Tensor> trained, Loop loop) throws IOException {
        Files.createDirectories(args.outputDir());
        for (Tensor t : trained) t.zeroGrad();
        long start = System.nanoTime();
        Map<String, Double> last;
        try (ProgressDisplay progress = ProgressDisplay.open(name, total, 0)) {
            last = loop.run((step, steps, loss, tokens) -> progress.update(step, tokens, loss));
        } finally {
            for (Tensor t : trained) t.freeze();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.err.printf("%s: train_runtime %.1f s, %.2f s/step%n", name, seconds, seconds / total);
        return new TrainResult(last, total, seconds, null);
    }
}
