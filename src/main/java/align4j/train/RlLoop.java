package align4j.train;

import align4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outer loop of online RL (PPO, GRPO, RLOO): each step draws a batch of prompts in the seeded
 * order of {@link TrainLoop.DataOrder}, lets the {@link Algorithm} sample, score and update the policy
 * (possibly several optimizer steps: PPO epochs and minibatches), then logs and checkpoints as
 * {@link TrainLoop} does (same metrics.jsonl, checkpoint-N/ and resume). It is a separate loop
 * because one step here is a whole rollout batch, not one gradient step on fixed data. A step counts
 * as TRL's PPO trainer counts {@code global_step}: one per rollout batch; the learning-rate schedule
 * advances once per batch too ({@code lr_scheduler.step()} after the batch's epochs).
 */
public final class RlLoop {

    /** One batch of online RL. */
    public interface Algorithm {
        /**
         * Samples completions for the prompts (seeded by sampleSeed), scores them and updates the
         * trainable parameters with adam at learning rate lr; returns the batch's metrics.
         */
        Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam);

        /** Scalars that change during training and must survive a resume (PPO's adaptive KL coefficient). */
        default Map<String, Double> state() {
            return Map.of();
        }

        default void restore(Map<String, Double> state) {}
    }

    private final TrainingArgs args;
    private final int[][] prompts;
    private final List<Tensor> params, trainable;
    private final Algorithm algorithm;
    private final TrainLoop.Listener listener;

    /** params: everything checkpointed (policy and value head); trainable: those with a non-null grad. */
    public RlLoop(TrainingArgs args, int[][] prompts, List<Tensor> params, Algorithm algorithm, TrainLoop.Listener listener) {
        if (prompts.length == 0) throw new IllegalArgumentException("no prompts to train on");
        this.args = args;
        this.prompts = prompts;
        this.params = params;
        this.trainable = new ArrayList<>();
        for (Tensor t : params) if (t.isTrainable()) trainable.add(t);
        this.algorithm = algorithm;
        this.listener = listener;
    }

    /** Rollout batches: max_steps, or num_train_epochs passes over the prompts. */
    public int totalSteps() {
        if (args.maxSteps() > 0) return args.maxSteps();
        return (int) Math.ceil(args.numTrainEpochs() * TrainLoop.stepsPerEpoch(prompts.length, args.batchSize(), 1));
    }

    /** Runs to the last step; returns the last logged metrics. */
    public Map<String, Double> run() throws IOException {
        int total = totalSteps();
        LrSchedule schedule = LrSchedule.of(args.lrSchedulerType(), args.learningRate(), args.warmupSteps(),
                args.warmupRatio(), total);
        AdamW adam = new AdamW(trainable, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay(),
                AdamW.HF_DECAY);
        int step = 0;
        long cursor = 0;
        Stats window = new Stats();
        if (args.resumeFromCheckpoint() != null) {
            Checkpoints.State s = Checkpoints.restore(args.resumeFromCheckpoint(), params, adam);
            step = s.globalStep();
            cursor = s.examplesSeen();
            window = s.window();
            algorithm.restore(s.extra());
        }
        Path metrics = args.outputDir().resolve("metrics.jsonl");
        Map<String, Double> last = new LinkedHashMap<>();
        try (MetricsLog log = args.resumeFromCheckpoint() != null ? MetricsLog.resume(metrics, step) : MetricsLog.create(metrics)) {
            while (step < total) {
                int[] idx = TrainLoop.DataOrder.batch(prompts.length, args.seed(), cursor, args.batchSize());
                cursor += idx.length;
                int[][] batch = new int[idx.length][];
                for (int i = 0; i < idx.length; i++) batch[i] = prompts[idx[i]];
                double lr = schedule.lr(step);
                long sampleSeed = args.seed() * 0x9E3779B97F4A7C15L + step + 1;
                Stats s;
                try {
                    s = algorithm.step(batch, sampleSeed, lr, adam);
                } catch (TrainLoop.TrainingDiverged e) {
                    for (Tensor t : trainable) t.zeroGrad();
                    throw new TrainLoop.TrainingDiverged("step " + (step + 1) + ": " + e.getMessage());
                }
                step++;
                s.add("learning_rate", lr, 1);
                s.add("episode", cursor, 1);
                window.merge(s);
                double epoch = (double) cursor / prompts.length;
                if (step % args.loggingSteps() == 0 || step == total) {
                    Map<String, Double> logged = new LinkedHashMap<>(window.means(""));
                    log.log(step, epoch, logged);
                    logged.put("epoch", epoch);
                    last = logged;
                    window = new Stats();
                }
                if (step % args.saveSteps() == 0 && step < total) {
                    Checkpoints.save(args.outputDir(), step, params, adam, cursor, window, args, algorithm.state());
                    Checkpoints.prune(args.outputDir(), args.saveTotalLimit());
                }
                if (listener != null) listener.onStep(step, total, s.mean("loss"), (long) s.mean("completions/tokens"));
            }
        }
        return last;
    }

    /**
     * Clips the global gradient norm (max_grad_norm ≤ 0: no clipping), takes one AdamW step and clears the gradients; returns the norm
     * before clipping. Throws {@link TrainLoop.TrainingDiverged} (leaving the weights untouched) when
     * the loss or the gradient is not finite.
     */
    public static double optimizerStep(List<Tensor> trainable, AdamW adam, double lr, double maxGradNorm, double loss) {
        double norm = maxGradNorm > 0 ? GradClip.clip(trainable, maxGradNorm) : GradClip.globalNorm(trainable);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            for (Tensor t : trainable) t.zeroGrad();
            throw new TrainLoop.TrainingDiverged((Double.isFinite(loss) ? "gradient norm" : "loss") + " is "
                    + (Double.isFinite(loss) ? norm : loss) + "; training stopped");
        }
        adam.step(lr);
        for (Tensor t : trainable) t.zeroGrad();
        return norm;
    }
}
