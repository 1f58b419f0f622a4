package align4j.cli;

import align4j.InputException;
import align4j.api.TrainResult;
import align4j.api.TrainedModel;
import align4j.tensor.RssProbe;
import align4j.train.Checkpoints;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Hugging Face TrainingArguments as kebab-case flags, shared by every training command. */
final class TrainingOptions {
    /** The values every flag starts from: {@link TrainingArgs#defaults}, so each default is written once. */
    private static final TrainingArgs DEFAULTS = TrainingArgs.defaults(Path.of("."));

    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Where the model, metrics.jsonl and checkpoints go.")
    Path outputDir;
    @Option(names = "--learning-rate", description = "Peak learning rate (default: the trainer's TRL config's: dpo, ppo, grpo and rloo 1e-6, sft 2e-5, reward 1e-4).")
    Double learningRate;
    @Option(names = {"--per-device-train-batch-size", "--batch-size"}, description = "Examples per micro-batch (default ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();
    @Option(names = "--per-device-eval-batch-size", description = "Examples per eval batch (default ${DEFAULT-VALUE}).")
    int evalBatchSize = DEFAULTS.evalBatchSize();
    @Option(names = "--gradient-accumulation-steps", description = "Micro-batches per optimizer step (default ${DEFAULT-VALUE}).")
    int gradientAccumulationSteps = DEFAULTS.gradientAccumulationSteps();
    @Option(names = "--num-train-epochs", description = "Passes over the data when --max-steps is not set (default ${DEFAULT-VALUE}).")
    double numTrainEpochs = DEFAULTS.numTrainEpochs();
    @Option(names = "--max-steps", description = "Optimizer steps; overrides --num-train-epochs when > 0.")
    int maxSteps = DEFAULTS.maxSteps();
    @Option(names = "--warmup-ratio", description = "Fraction of steps of linear warmup (default ${DEFAULT-VALUE}).")
    double warmupRatio = DEFAULTS.warmupRatio();
    @Option(names = "--warmup-steps", description = "Warmup steps; overrides --warmup-ratio when ≥ 0.")
    int warmupSteps = DEFAULTS.warmupSteps();
    @Option(names = "--lr-scheduler-type", description = "constant, constant_with_warmup, linear or cosine (default ${DEFAULT-VALUE}).")
    String lrSchedulerType = DEFAULTS.lrSchedulerType();
    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay = DEFAULTS.weightDecay();
    @Option(names = "--adam-beta1", description = "AdamW β1 (default ${DEFAULT-VALUE}).")
    double adamBeta1 = DEFAULTS.adamBeta1();
    @Option(names = "--adam-beta2", description = "AdamW β2 (default ${DEFAULT-VALUE}).")
    double adamBeta2 = DEFAULTS.adamBeta2();
    @Option(names = "--adam-epsilon", description = "AdamW ε (default ${DEFAULT-VALUE}).")
    double adamEpsilon = DEFAULTS.adamEpsilon();
    @Option(names = "--max-grad-norm", description = "Clip the global gradient norm to this (≤ 0: no clipping; default ${DEFAULT-VALUE}).")
    double maxGradNorm = DEFAULTS.maxGradNorm();
    @Option(names = "--seed", description = "Seed for data order and sampling (default ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();
    @Option(names = "--logging-steps", description = "Log metrics every N optimizer steps (default ${DEFAULT-VALUE}).")
    int loggingSteps = DEFAULTS.loggingSteps();
    @Option(names = "--eval-steps", description = "Evaluate every N steps (default: the logging interval).")
    int evalSteps = DEFAULTS.evalSteps();
    @Option(names = "--save-steps", description = "Write checkpoint-N every N steps (default ${DEFAULT-VALUE}).")
    int saveSteps = DEFAULTS.saveSteps();
    @Option(names = "--save-total-limit", description = "Keep at most this many checkpoints (default: all).")
    int saveTotalLimit = DEFAULTS.saveTotalLimit();
    @Option(names = "--resume-from-checkpoint", paramLabel = "DIR", description = "Continue from a checkpoint-N folder (or 'last' for the newest in --output-dir).")
    String resumeFromCheckpoint;
    @Option(names = "--report-to", paramLabel = "NAME", description = "Also log to: none or tensorboard (all = tensorboard; default ${DEFAULT-VALUE}).")
    String reportTo = DEFAULTS.reportTo();
    @Option(names = "--logging-dir", paramLabel = "DIR", description = "TensorBoard folder (default: OUTPUT_DIR/runs/<time>_<host>, as Hugging Face).")
    Path loggingDir = DEFAULTS.loggingDir();

    /**
     * The arguments, with the learning rate of the trainer's own TRL config when --learning-rate is not given
     * (SFTConfig's 2e-5, RewardConfig's 1e-4; {@link TrainingArgs#defaults} holds DPOConfig's).
     */
    TrainingArgs toArgs(double trainerLearningRate) {
        Path resume = null;
        if (resumeFromCheckpoint != null) {
            resume = resumeFromCheckpoint.equals("last") ? Checkpoints.latest(outputDir) : Path.of(resumeFromCheckpoint);
            if (resume == null) throw new InputException("--resume-from-checkpoint last: no checkpoint-N folder in " + outputDir);
        }
        return new TrainingArgs(outputDir, learningRate != null ? learningRate : trainerLearningRate, batchSize, evalBatchSize,
                gradientAccumulationSteps, numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay,
                adamBeta1, adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit, resume,
                reportTo, loggingDir);
    }

    /** The arguments with DPOConfig's learning rate when --learning-rate is not given (dpo, ppo, grpo, rloo). */
    TrainingArgs toArgs() {
        return toArgs(DEFAULTS.learningRate());
    }

    /** The end of every training command: the model (or PEFT adapter) and tokenizer files, eval_results.json when it evaluated. */
    static void save(String command, TrainedModel model, TrainingArgs args, TrainResult result, boolean evaluated) throws IOException {
        model.save(args.outputDir());
        if (evaluated) EvalOptions.writeResults(args.outputDir(), result.metrics());
        System.err.printf("%s: %s saved to %s (peak RSS %.0f MiB, peak heap %.0f MiB)%n", command,
                model.lora() != null ? "PEFT adapter" : "model", args.outputDir(), RssProbe.peakRssMb(), RssProbe.peakHeapMb());
    }
}
