package align4j.api;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a training job returns: the metrics of its last logging step (TRL's names, plus {@code eval_*} when it
 * evaluated and {@code epoch}), the optimizer steps taken, the wall time, and where the model was saved (null if
 * the job was not asked to save).
 */
public record TrainResult(Map<String, Double> metrics, int steps, double seconds, Path savedTo) {
    public TrainResult {
        metrics = Map.copyOf(metrics);
    }

    /** One metric of the last logging step, or NaN when it was not logged. */
    public double metric(String name) {
        return metrics.getOrDefault(name, Double.NaN);
    }
}
