package align4j.train;

import align4j.InputException;
import java.util.Locale;

/**
 * Learning rate schedules with the semantics of Hugging Face {@code transformers.get_scheduler}
 * ({@code transformers/optimization.py}): lr(k) = learning_rate · λ(k), where k is the number of
 * optimizer steps already taken. The update number k+1 uses lr(k), so with warmup the first update
 * has lr 0, as in HF. HF logs {@code learning_rate} after stepping the scheduler, i.e. lr(k) right
 * after the k-th update.
 *
 * @param type         {@code constant}, {@code constant_with_warmup}, {@code linear} or {@code cosine}
 * @param learningRate the peak learning rate
 * @param warmupSteps  W (ignored by {@code constant}, as HF ignores it)
 * @param totalSteps   N, the number of optimizer steps of the run
 */
public record LrSchedule(Type type, double learningRate, int warmupSteps, int totalSteps) {
    public enum Type {
        CONSTANT("constant"), CONSTANT_WITH_WARMUP("constant_with_warmup"), LINEAR("linear"), COSINE("cosine");

        public final String hfName;

        Type(String hfName) {
            this.hfName = hfName;
        }

        /** Parses HF's {@code lr_scheduler_type} spelling. */
        public static Type parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Type t : values()) {
                if (t.hfName.equals(n)) return t;
            }
            throw new InputException("unknown lr_scheduler_type '" + name
                    + "'; expected constant, constant_with_warmup, linear or cosine");
        }
    }

    public LrSchedule {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new InputException("learning_rate must be ≥ 0, got " + learningRate);
        }
        if (warmupSteps < 0) throw new InputException("warmup_steps must be ≥ 0, got " + warmupSteps);
        if (totalSteps < 0) throw new InputException("total steps must be ≥ 0, got " + totalSteps);
    }

    /**
     * The schedule from TrainingArguments' fields: warmup_steps when > 0, else ceil(warmup_ratio · N)
     * (HF {@code TrainingArguments.get_warmup_steps}).
     */
    public static LrSchedule of(String type, double learningRate, int warmupSteps, double warmupRatio, int totalSteps) {
        return new LrSchedule(Type.parse(type), learningRate, warmupSteps(warmupSteps, warmupRatio, totalSteps), totalSteps);
    }

    /** HF {@code get_warmup_steps}: warmup_steps if > 0, else ceil(N · warmup_ratio). */
    public static int warmupSteps(int warmupSteps, double warmupRatio, int totalSteps) {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new InputException("warmup_ratio must be in [0, 1], got " + warmupRatio);
        }
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(totalSteps * warmupRatio);
    }

    /** The multiplier λ(k) of HF's lambdas. */
    public double lambda(int step) {
        int w = warmupSteps, n = totalSteps;
        return switch (type) {
            case CONSTANT -> 1.0;
            // _get_constant_schedule_with_warmup_lr_lambda
            case CONSTANT_WITH_WARMUP -> step < w ? (double) step / Math.max(1.0, w) : 1.0;
            // _get_linear_schedule_with_warmup_lr_lambda: k/max(1,W), then max(0, (N−k)/max(1, N−W))
            case LINEAR -> step < w ? (double) step / Math.max(1, w)
                    : Math.max(0.0, (double) (n - step) / Math.max(1, n - w));
            // _get_cosine_schedule_with_warmup_lr_lambda with num_cycles = 0.5:
            // max(0, ½(1 + cos(π · 2 · 0.5 · p))), p = (k−W)/max(1, N−W)
            case COSINE -> {
                if (step < w) yield (double) step / Math.max(1, w);
                double progress = (double) (step - w) / Math.max(1, n - w);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
        };
    }

    /** lr(k) = learning_rate · λ(k), the learning rate of update k+1. */
    public double lr(int step) {
        return learningRate * lambda(step);
    }
}
