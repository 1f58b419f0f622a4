package align4j.cli;

import align4j.train.TrainingArgs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Hugging Face TrainingArguments as kebab-case flags, shared by every training command. */
final class TrainingOptions {
    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Where the model, metrics.jsonl and checkpoints go.")
    Path outputDir;
    @Option(names = "--learning-rate", defaultValue = "1e-6", description = "Peak learning rate (default ${DEFAULT-VALUE}, TRL's DPO default).")
    double learningRate;
    @Option(names = {"--per-device-train-batch-size", "--batch-size"}, defaultValue = "8", description = "Examples per micro-batch (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--per-device-eval-batch-size", defaultValue = "8", description = "Examples per eval batch (default ${DEFAULT-VALUE}).")
    int evalBatchSize;
    @Option(names = "--gradient-accumulation-steps", defaultValue = "1", description = "Micro-batches per optimizer step (default ${DEFAULT-VALUE}).")
    int gradientAccumulationSteps;
    @Option(names = "--num-train-epochs", defaultValue = "3", description = "Passes over the data when --max-steps is not set (default ${DEFAULT-VALUE}).")
    double numTrainEpochs;
    @Option(names = "--max-steps", defaultValue = "-1", description = "Optimizer steps; overrides --num-train-epochs when > 0.")
    int maxSteps;
    @Option(names = "--warmup-ratio", defaultValue = "0", description = "Fraction of steps of linear warmup (default ${DEFAULT-VALUE}).")
    double warmupRatio;
    @Option(names = "--warmup-steps", defaultValue = "-1", description = "Warmup steps; overrides --warmup-ratio when ≥ 0.")
    int warmupSteps;
    @Option(names = "--lr-scheduler-type", defaultValue = "linear", description = "constant, constant_with_warmup, linear or cosine (default ${DEFAULT-VALUE}).")
    String lrSchedulerType;
    @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW decoupled weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--adam-beta1", defaultValue = "0.9", description = "AdamW β1 (default ${DEFAULT-VALUE}).")
    double adamBeta1;
    @Option(names = "--adam-beta2", defaultValue = "0.999", description = "AdamW β2 (default ${DEFAULT-VALUE}).")
    double adamBeta2;
    @Option(names = "--adam-epsilon", defaultValue = "1e-8", description = "AdamW ε (default ${DEFAULT-VALUE}).")
    double adamEpsilon;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Clip the global gradient norm to this (≤ 0: no clipping; default ${DEFAULT-VALUE}).")
    double maxGradNorm;
    @Option(names = "--seed", defaultValue = "42", description = "Seed for data order and sampling (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--logging-steps", defaultValue = "10", description = "Log metrics every N optimizer steps (default ${DEFAULT-VALUE}).")
    int loggingSteps;
    @Option(names = "--eval-steps", defaultValue = "-1", description = "Evaluate every N steps (default: the logging interval).")
    int evalSteps;
    @Option(names = "--save-steps", defaultValue = "500", description = "Write checkpoint-N every N steps (default ${DEFAULT-VALUE}).")
    int saveSteps;
    @Option(names = "--save-total-limit", defaultValue = "-1", description = "Keep at most this many checkpoints (default: all).")
    int saveTotalLimit;
    @Option(names = "--resume-from-checkpoint", paramLabel = "DIR", description = "Continue from a checkpoint-N folder (or 'last' for the newest in --output-dir).")
    String resumeFromCheckpoint;

    TrainingArgs toArgs() {
        if (learningRate < 0) throw new UserException("--learning-rate must be ≥ 0, got " + learningRate);
        if (batchSize < 1) throw new UserException("--per-device-train-batch-size must be ≥ 1, got " + batchSize);
        if (evalBatchSize < 1) throw new UserException("--per-device-eval-batch-size must be ≥ 1, got " + evalBatchSize);
        if (gradientAccumulationSteps < 1) throw new UserException("--gradient-accumulation-steps must be ≥ 1, got " + gradientAccumulationSteps);
        if (warmupRatio < 0 || warmupRatio > 1) throw new UserException("--warmup-ratio must be in [0, 1], got " + warmupRatio);
        if (loggingSteps < 1) throw new UserException("--logging-steps must be ≥ 1, got " + loggingSteps);
        if (saveSteps < 1) throw new UserException("--save-steps must be ≥ 1, got " + saveSteps);
        Path resume = null;
        if (resumeFromCheckpoint != null) {
            resume = resumeFromCheckpoint.equals("last") ? align4j.train.Checkpoints.latest(outputDir)
                    : Path.of(resumeFromCheckpoint);
            if (resume == null) throw new UserException("--resume-from-checkpoint last: no checkpoint-N folder in " + outputDir);
        }
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit, resume);
    }
}
