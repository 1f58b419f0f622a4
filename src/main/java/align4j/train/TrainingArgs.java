package align4j.train;

import align4j.InputException;
import java.nio.file.Path;
import java.util.List;

/**
 * The optimisation settings every trainer shares (SFT, DPO, reward model, PPO, GRPO, RLOO), with Hugging Face
 * TrainingArguments' names and meanings. {@link #defaults} holds each default once (TRL's DPOConfig values);
 * change one with a {@code withX} copy: {@code TrainingArgs.defaults(out).withLearningRate(5e-7).withMaxSteps(100)}.
 *
 * @param outputDir                 where the model, metrics.jsonl and checkpoint-N/ go (output_dir)
 * @param learningRate              peak learning rate (learning_rate; default 1e-6, TRL's DPOConfig)
 * @param batchSize                 examples per micro-batch (per_device_train_batch_size; default 8)
 * @param evalBatchSize             examples per eval batch (per_device_eval_batch_size; default 8)
 * @param gradientAccumulationSteps micro-batches per optimizer step (default 1)
 * @param numTrainEpochs            passes over the data when maxSteps ≤ 0 (default 3)
 * @param maxSteps                  optimizer steps; ≤ 0 means numTrainEpochs full passes (default -1)
 * @param warmupRatio               fraction of the steps of linear warmup (default 0)
 * @param warmupSteps               ≥ 0 overrides warmupRatio, as HF's warmup_steps wins when set (default -1: unset)
 * @param lrSchedulerType           constant, constant_with_warmup, linear or cosine (default linear)
 * @param weightDecay               AdamW's decoupled weight decay (default 0)
 * @param adamBeta1                 AdamW β1 (default 0.9)
 * @param adamBeta2                 AdamW β2 (default 0.999)
 * @param adamEpsilon               AdamW ε (default 1e-8)
 * @param maxGradNorm               clip the global gradient norm to this; ≤ 0: no clipping (default 1.0)
 * @param seed                      seed of the data order and of sampling (default 42)
 * @param loggingSteps              log metrics every N optimizer steps (default 10)
 * @param evalSteps                 evaluate every N steps; ≤ 0 means "same as loggingSteps", HF's default (default -1)
 * @param saveSteps                 write checkpoint-N every N steps (default 500)
 * @param saveTotalLimit            keep at most this many checkpoints; ≤ 0 keeps all (default -1)
 * @param resumeFromCheckpoint      a checkpoint-N folder to continue from, or null (default)
 * @param reportTo                  where metrics go besides metrics.jsonl (report_to): none (default), tensorboard
 *                                  (TensorBoard event files, {@link TensorBoardWriter}), or all (= tensorboard);
 *                                  comma-separated as HF's list
 * @param loggingDir                the TensorBoard folder (logging_dir); null (default): HF's
 *                                  {@code <outputDir>/runs/<%b%d_%H-%M-%S>_<host>}
 */
public record TrainingArgs(
        Path outputDir,
        double learningRate,
        int batchSize,
        int evalBatchSize,
        int gradientAccumulationSteps,
        double numTrainEpochs,
        int maxSteps,
        double warmupRatio,
        int warmupSteps,
        String lrSchedulerType,
        double weightDecay,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        double maxGradNorm,
        long seed,
        int loggingSteps,
        int evalSteps,
        int saveSteps,
        int saveTotalLimit,
        Path resumeFromCheckpoint,
        String reportTo,
        Path loggingDir) {

    /** Values out of range are input errors named by their TrainingArguments names. */
    public TrainingArgs {
        if (learningRate < 0) throw new InputException("learning_rate must be ≥ 0, got " + learningRate);
        if (batchSize < 1) throw new InputException("per_device_train_batch_size must be ≥ 1, got " + batchSize);
        if (evalBatchSize < 1) throw new InputException("per_device_eval_batch_size must be ≥ 1, got " + evalBatchSize);
        if (gradientAccumulationSteps < 1) throw new InputException("gradient_accumulation_steps must be ≥ 1, got " + gradientAccumulationSteps);
        if (warmupRatio < 0 || warmupRatio > 1) throw new InputException("warmup_ratio must be in [0, 1], got " + warmupRatio);
        if (loggingSteps < 1) throw new InputException("logging_steps must be ≥ 1, got " + loggingSteps);
        if (saveSteps < 1) throw new InputException("save_steps must be ≥ 1, got " + saveSteps);
        if (reportTo == null || reportTo.isBlank()) reportTo = "none";
        for (String r : reportTo.split(",")) {
            if (!List.of("none", "tensorboard", "all").contains(r.strip())) {
                throw new InputException("report_to must be none, tensorboard or all (all = tensorboard, the one integration"
                        + " built in), got '" + r.strip() + "'");
            }
        }
    }

    /** Whether report_to asks for TensorBoard event files ("tensorboard" or "all"). */
    public boolean reportsToTensorBoard() {
        for (String r : reportTo.split(",")) if (r.strip().equals("tensorboard") || r.strip().equals("all")) return true;
        return false;
    }

    /** TRL's DPOConfig defaults (HF TrainingArguments' for everything DPO does not change), writing to outputDir. */
    public static TrainingArgs defaults(Path outputDir) {
        return new TrainingArgs(outputDir, 1e-6, 8, 8, 1, 3, -1, 0, -1, "linear", 0, 0.9, 0.999, 1e-8, 1.0, 42, 10, -1,
                500, -1, null, "none", null);
    }

    /** Optimizer steps of a run over {@code examples} training examples (prompts for RL): maxSteps, or the epochs'. */
    public int totalSteps(int examples) {
        if (maxSteps > 0) return maxSteps;
        return (int) Math.ceil(numTrainEpochs * TrainLoop.stepsPerEpoch(examples, batchSize, gradientAccumulationSteps));
    }

    public TrainingArgs withOutputDir(Path outputDir) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withLearningRate(double learningRate) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withBatchSize(int batchSize) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withEvalBatchSize(int evalBatchSize) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withGradientAccumulationSteps(int gradientAccumulationSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withNumTrainEpochs(double numTrainEpochs) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withMaxSteps(int maxSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withWarmupRatio(double warmupRatio) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withWarmupSteps(int warmupSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withLrSchedulerType(String lrSchedulerType) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withWeightDecay(double weightDecay) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withAdamBeta1(double adamBeta1) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withAdamBeta2(double adamBeta2) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withAdamEpsilon(double adamEpsilon) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withMaxGradNorm(double maxGradNorm) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withSeed(long seed) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withLoggingSteps(int loggingSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withEvalSteps(int evalSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withSaveSteps(int saveSteps) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withSaveTotalLimit(int saveTotalLimit) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withResumeFromCheckpoint(Path resumeFromCheckpoint) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withReportTo(String reportTo) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }

    public TrainingArgs withLoggingDir(Path loggingDir) {
        return new TrainingArgs(outputDir, learningRate, batchSize, evalBatchSize, gradientAccumulationSteps,
                numTrainEpochs, maxSteps, warmupRatio, warmupSteps, lrSchedulerType, weightDecay, adamBeta1,
                adamBeta2, adamEpsilon, maxGradNorm, seed, loggingSteps, evalSteps, saveSteps, saveTotalLimit,
                resumeFromCheckpoint, reportTo, loggingDir);
    }
}
