package align4j.train;

import align4j.data.DatasetRecord;
import align4j.tensor.Tensor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outer loop of online RL (PPO, GRPO, RLOO): each step draws a batch of prompts in the seeded
 * order of {@link TrainLoop.DataOrder}, lets the {@link Algorithm} sample, score and update the policy
 * (possibly several optimizer steps: PPO epochs and minibatches), then logs and checkpoints as
 * {@link TrainLoop} does, on the same {@link RunState} (metrics.jsonl, checkpoint-N/, resume, the NaN
 * rule). It is a separate loop because one step here is a whole rollout batch, not one gradient step on
 * fixed data. A step counts
 * as TRL's PPO trainer counts {@code global_step}: one per rollout batch; the learning-rate schedule
 * advances once per batch too ({@code lr_scheduler.step()} after the batch's epochs).
 *
 * <p>Each step's metrics also go to {@link RunHealth}, whose warnings are printed to stderr and appended to
 * warnings.jsonl in the output folder; at each logged step an algorithm's {@link Algorithm#completions} (GRPO's
 * and RLOO's {@code log_completions}) are appended to completions.jsonl. Both files follow a resume as
 * metrics.jsonl does.
 */
public final class RlLoop {

    /** One batch of online RL. */
    public interface Algorithm {
        /**
         * Samples completions for the prompts (seeded by sampleSeed), scores them and updates the
         * trainable parameters with adam at learning rate lr; returns the batch's metrics.
         */
        Stats step(int[][] prompts, long sampleSeed, double lr, AdamW adam);

        /**
         * The step with each prompt's dataset record (records[i] for prompts[i]; records null: none), for rewards
         * that read its columns; algorithms that score without records need not override it.
         */
        default Stats step(int[][] prompts, DatasetRecord[] records, long sampleSeed, double lr, AdamW adam) {
            return step(prompts, sampleSeed, lr, adam);
        }

        /** Scalars that change during training and must survive a resume (PPO's adaptive KL coefficient). */
        default Map<String, Double> state() {
            return Map.of();
        }

        default void restore(Map<String, Double> state) {}

        /**
         * The last batch's completions as completions.jsonl rows (prompt, completion, rewards, advantage: TRL's
         * {@code log_completions} table), written at each logged step; empty when not logging them.
         */
        default List<Map<String, Object>> completions() {
            return List.of();
        }
    }

    private final TrainingArgs args;
    private final int[][] prompts;
    private final List<DatasetRecord> records;
    private final List<Tensor> params;
    private final Algorithm algorithm;
    private final TrainLoop.Listener listener;

    /** params: everything checkpointed (policy and value head); the trainable ones are those with a grad. */
    public RlLoop(TrainingArgs args, int[][] prompts, List<Tensor> params, Algorithm algorithm, TrainLoop.Listener listener) {
        this(args, prompts, List.of(), params, algorithm, listener);
    }

    /** records: the prompts' dataset records, one per prompt, handed to the algorithm with them; empty: none. */
    public RlLoop(TrainingArgs args, int[][] prompts, List<DatasetRecord> records, List<Tensor> params, Algorithm algorithm,
                  TrainLoop.Listener listener) {
        if (prompts.length == 0) throw new IllegalArgumentException("no prompts to train on");
        if (!records.isEmpty() && records.size() != prompts.length) throw new IllegalArgumentException("records and prompts differ in count");
        this.args = args;
        this.prompts = prompts;
        this.records = records;
        this.params = params;
        this.algorithm = algorithm;
        this.listener = listener;
    }

    /** Rollout batches: max_steps, or num_train_epochs passes over the prompts. */
    public int totalSteps() {
        return totalSteps(args, prompts.length);
    }

    /** Rollout batches of a run over that many prompts, args' batch size of them per step. */
    public static int totalSteps(TrainingArgs args, int prompts) {
        return args.withGradientAccumulationSteps(1).totalSteps(prompts);
    }

    /**
     * Runs to the last step; returns the last logged metrics. When an optimizer step meets a NaN/Inf loss or
     * gradient it checkpoints the last good state and throws {@link TrainLoop.TrainingDiverged}, as TrainLoop.
     */
    public Map<String, Double> run() throws IOException {
        RunHealth health = new RunHealth();
        try (RunState run = new RunState(args, params, prompts.length, totalSteps(), () -> state(health), s -> restore(health, s));
             StepLines warnings = StepLines.open(args.outputDir().resolve("warnings.jsonl"), resumeStep(run));
             StepLines completions = StepLines.open(args.outputDir().resolve("completions.jsonl"), resumeStep(run))) {
            while (run.running()) {
                int[] idx = run.draw(args.batchSize());
                int[][] batch = new int[idx.length][];
                DatasetRecord[] recs = records.isEmpty() ? null : new DatasetRecord[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    batch[i] = prompts[idx[i]];
                    if (recs != null) recs[i] = records.get(idx[i]);
                }
                double lr = run.lr();
                long sampleSeed = args.seed() * 0x9E3779B97F4A7C15L + run.step() + 1;
                Stats s;
                try {
                    s = algorithm.step(batch, recs, sampleSeed, lr, run.adam);
                } catch (TrainLoop.TrainingDiverged e) {
                    throw run.diverged(e);
                }
                s.add("learning_rate", lr, 1);
                s.add("episode", run.cursor(), 1);
                boolean logged = run.endStep(s);
                for (RunHealth.Warning w : health.check(run.step(), s)) {
                    System.err.println(w.line());
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("warning", w.name());
                    row.put("message", w.message());
                    row.putAll(w.numbers());
                    warnings.append(run.step(), row);
                }
                if (logged) for (Map<String, Object> row : algorithm.completions()) completions.append(run.step(), row);
                run.saveAtCadence();
                if (listener != null) listener.onStep(run.step(), run.total, s.mean("loss"), (long) s.mean("completions/tokens"));
            }
            return run.last();
        }
    }

    /** -1 for a fresh run, else the checkpoint's step. */
    private long resumeStep(RunState run) {
        return args.resumeFromCheckpoint() == null ? -1 : run.step();
    }

    /** The checkpoint's extra state: the algorithm's scalars and {@link RunHealth}'s. */
    private Map<String, Double> state(RunHealth health) {
        Map<String, Double> m = new LinkedHashMap<>(algorithm.state());
        m.putAll(health.state());
        return m;
    }

    private void restore(RunHealth health, Map<String, Double> state) {
        Map<String, Double> own = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (!k.startsWith(RunHealth.STATE_PREFIX)) own.put(k, v);
        });
        algorithm.restore(own);
        health.restore(state);
    }

    /**
     * An algorithm's optimizer step: clips the global gradient norm (max_grad_norm ≤ 0: no clipping), takes one
     * AdamW step and clears the gradients; returns the norm before clipping. Throws
     * {@link TrainLoop.TrainingDiverged} (leaving the weights untouched) when the loss or the gradient is not
     * finite; the loop then checkpoints the last good state and stops.
     */
    public static double optimizerStep(List<Tensor> trainable, AdamW adam, double lr, double maxGradNorm, double loss) {
        return RunState.optimizerStep(trainable, adam, lr, maxGradNorm, loss);
    }
}
