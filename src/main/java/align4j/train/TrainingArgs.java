package align4j.train;

import java.nio.file.Path;

/**
 * The optimisation settings every trainer shares (SFT, DPO, reward model, PPO), with Hugging Face
 * TrainingArguments' names and meanings.
 *
 * @param batchSize            pairs (or sequences) per micro-batch: per_device_train_batch_size
 * @param maxSteps             optimizer steps; ≤ 0 means num_train_epochs full passes
 * @param warmupSteps          ≥ 0 overrides warmupRatio (HF: warmup_steps wins when set)
 * @param evalSteps            ≤ 0 means "same as loggingSteps" (HF's default when eval_steps is unset)
 * @param resumeFromCheckpoint a checkpoint-N folder, or null
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
        Path resumeFromCheckpoint) {}
