package align4j.train;

import align4j.eval.Sample;
import java.util.List;

/**
 * A user's reward function in a jar of its own ({@code --reward-jar FILE.jar}), found with
 * {@link java.util.ServiceLoader}: the jar lists its implementations, one class name a line, in
 * {@code META-INF/services/align4j.train.RewardPlugin}, and each needs a public no-argument constructor. A run names
 * it on {@code --reward-funcs} by {@link #name()} like a built-in one, with the same weights and
 * {@code rewards/<name>/mean} and {@code /std} metrics. The name may not be a built-in's (nor contain ',' or ':').
 */
public interface RewardPlugin {
    /** The name --reward-funcs selects and the metrics carry. */
    String name();

    /**
     * One score per sample, in order. Each sample has the prompt and the completion as text (null when the model
     * has no tokenizer) and as token ids, no reference, and the prompt's dataset record with every column
     * ({@link Sample#record()}, null when the prompts came without records).
     */
    double[] score(List<Sample> samples);
}
