package align4j.train;

import align4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The skeleton both training loops share ({@link TrainLoop}: one optimizer step per step; {@link RlLoop}: one
 * rollout batch per step): the learning-rate schedule, AdamW over the trainable tensors, resume from a
 * checkpoint, the seeded draw of examples ({@link TrainLoop.DataOrder}), the metrics window and its logging
 * cadence, the checkpoint cadence, and the NaN rule: a step whose loss or gradient is not finite checkpoints
 * the last good state and stops the run ({@link #diverged}).
 *
 * <p>A loop opens one per run, and per step: {@link #draw} examples, trains at {@link #lr()} with {@link #adam},
 * {@link #endStep} with the step's metrics, then {@link #saveAtCadence}.
 */
final class RunState implements AutoCloseable {
    final TrainingArgs args;
    final int total;
    final AdamW adam;
    private final List<Tensor> params, trainable = new ArrayList<>();
    private final int examples;
    private final LrSchedule schedule;
    private final Supplier<Map<String, Double>> extraState;
    private final MetricsLog log;
    private int step;
    private long cursor; // examples drawn since the start of training
    private Stats window = new Stats();
    private Map<String, Double> last = new LinkedHashMap<>();

    /**
     * Starts a run of total steps over examples examples, or resumes it from args' resumeFromCheckpoint; opens
     * outputDir/metrics.jsonl (on resume keeping its lines up to the checkpoint's step) and, with report_to
     * tensorboard, a new TensorBoard event file.
     *
     * @param params     every tensor checkpointed; the trainable ones ({@link Tensor#isTrainable}) are optimised
     * @param extraState an algorithm's scalars that must survive a resume, saved in every checkpoint
     * @param restore    given those scalars back on resume
     */
    RunState(TrainingArgs args, List<Tensor> params, int examples, int total, Supplier<Map<String, Double>> extraState,
             Consumer<Map<String, Double>> restore) throws IOException {
        this.args = args;
        this.total = total;
        this.params = params;
        this.examples = examples;
        this.extraState = extraState;
        for (Tensor t : params) if (t.isTrainable()) trainable.add(t);
        schedule = LrSchedule.of(args.lrSchedulerType(), args.learningRate(), args.warmupSteps(), args.warmupRatio(), total);
        adam = new AdamW(trainable, args.adamBeta1(), args.adamBeta2(), args.adamEpsilon(), args.weightDecay(), AdamW.HF_DECAY);
        if (args.resumeFromCheckpoint() != null) {
            Checkpoints.State s = Checkpoints.restore(args.resumeFromCheckpoint(), params, adam);
            step = s.globalStep();
            cursor = s.examplesSeen();
            window = s.window();
            restore.accept(s.extra());
        }
        Path metrics = args.outputDir().resolve("metrics.jsonl");
        log = args.resumeFromCheckpoint() != null ? MetricsLog.resume(metrics, step) : MetricsLog.create(metrics);
        if (args.reportsToTensorBoard()) {
            try {
                log.reportingTo(TensorBoardWriter.open(tensorBoardDir(args), args.resumeFromCheckpoint() != null ? step + 1 : 0));
            } catch (IOException | RuntimeException e) {
                log.close();
                throw e;
            }
        }
    }

    /**
     * report_to tensorboard's folder: logging_dir, or HF's default {@code output_dir/runs/<time>_<host>}; a resumed
     * run continues the newest runs/ folder that has event files, so TensorBoard shows one run.
     */
    private static Path tensorBoardDir(TrainingArgs args) throws IOException {
        if (args.loggingDir() != null) return args.loggingDir();
        Path latest = args.resumeFromCheckpoint() != null ? TensorBoardWriter.latestLogDir(args.outputDir()) : null;
        return latest != null ? latest : TensorBoardWriter.defaultLogDir(args.outputDir());
    }

    boolean running() {
        return step < total;
    }

    /** Optimizer steps (RL: rollout batches) completed. */
    int step() {
        return step;
    }

    /** Examples (RL: prompts) drawn so far. */
    long cursor() {
        return cursor;
    }

    /** The learning rate of the step in progress. */
    double lr() {
        return schedule.lr(step);
    }

    /** The next batch of up to size example indices in the seeded order. */
    int[] draw(int size) {
        int[] idx = TrainLoop.DataOrder.batch(examples, args.seed(), cursor, size);
        cursor += idx.length;
        return idx;
    }

    /** {@link #optimizerStep(List, AdamW, double, double, double)} on this run's tensors; a divergence ends the run. */
    double optimizerStep(double lr, double loss) throws IOException {
        try {
            return optimizerStep(trainable, adam, lr, args.maxGradNorm(), loss);
        } catch (TrainLoop.TrainingDiverged e) {
            throw diverged(e);
        }
    }

    /**
     * The NaN rule: clears the gradients, checkpoints the last good state (the weights and AdamW state of the
     * last optimizer step that succeeded) as checkpoint-N, N the steps completed, and returns the exception to
     * throw. In RL a batch's optimizer steps that ran before the bad one are part of that state.
     */
    TrainLoop.TrainingDiverged diverged(TrainLoop.TrainingDiverged cause) throws IOException {
        for (Tensor t : trainable) t.zeroGrad();
        Checkpoints.save(args.outputDir(), step, params, adam, cursor, window, args, extraState.get());
        return new TrainLoop.TrainingDiverged("step " + (step + 1) + ": " + cause.getMessage()
                + "; training stopped, the last good state is in " + Checkpoints.dir(args.outputDir(), step));
    }

    /**
     * Ends a step: its metrics join the window, which is logged (and restarted) every logging_steps and at the end;
     * returns whether this step was logged.
     */
    boolean endStep(Stats stats) throws IOException {
        step++;
        window.merge(stats);
        boolean logs = every(args.loggingSteps());
        if (logs) {
            Map<String, Double> logged = new LinkedHashMap<>(window.means(""));
            log.log(step, epoch(), logged);
            logged.put("epoch", epoch());
            last = logged;
            window = new Stats();
        }
        return logs;
    }

    /** Whether the step just ended is a multiple of n, or the last. */
    boolean every(int n) {
        return step % n == 0 || step == total;
    }

    /** Logs evaluation metrics (as eval_*) at the step just ended. */
    void logEval(Stats eval) throws IOException {
        Map<String, Double> e = new LinkedHashMap<>(eval.means("eval_"));
        log.log(step, epoch(), e);
        last.putAll(e);
    }

    /** Writes checkpoint-N every save_steps (not after the last step: the caller saves the result). */
    void saveAtCadence() throws IOException {
        if (step % args.saveSteps() == 0 && step < total) {
            Checkpoints.save(args.outputDir(), step, params, adam, cursor, window, args, extraState.get());
            Checkpoints.prune(args.outputDir(), args.saveTotalLimit());
        }
    }

    /** The metrics last logged, with "epoch" and any eval_* of the same step. */
    Map<String, Double> last() {
        return last;
    }

    private double epoch() {
        return (double) cursor / examples;
    }

    @Override
    public void close() throws IOException {
        log.close();
    }

    /**
     * Clips the global gradient norm (max_grad_norm ≤ 0: no clipping), takes one AdamW step and clears the
     * gradients; returns the norm before clipping. Throws {@link TrainLoop.TrainingDiverged} (leaving the weights
     * untouched, the gradients cleared) when the loss or the gradient is not finite.
     */
    static double optimizerStep(List<Tensor> trainable, AdamW adam, double lr, double maxGradNorm, double loss) {
        double norm = maxGradNorm > 0 ? GradClip.clip(trainable, maxGradNorm) : GradClip.globalNorm(trainable);
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            for (Tensor t : trainable) t.zeroGrad();
            throw new TrainLoop.TrainingDiverged((Double.isFinite(loss) ? "gradient norm" : "loss") + " is "
                    + (Double.isFinite(loss) ? norm : loss));
        }
        adam.step(lr);
        for (Tensor t : trainable) t.zeroGrad();
        return norm;
    }
}
