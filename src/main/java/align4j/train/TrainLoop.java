package align4j.train;

import align4j.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The one training loop every algorithm runs (docs/DESIGN.md#loop-seams): micro-batches drawn in a seeded order,
 * gradient accumulation, global-norm clipping, AdamW with a warmup schedule, metrics averaged over
 * each logging window, periodic evaluation, atomic checkpoints and exact resume. What differs per
 * algorithm (the loss, where sequences come from) is the {@link Task}; the skeleton it shares with
 * {@link RlLoop} (schedule, AdamW, resume, metrics window, log and save cadence, the NaN rule) is {@link RunState}.
 */
public final class TrainLoop {

    /** What an algorithm contributes to the loop. */
    public interface Task {
        /** Number of training examples (the loop shuffles indices into them). */
        int size();

        /**
         * Forward and backward over the given examples, adding gradScale·∂loss/∂θ to the trainable
         * gradients; returns the metrics of these examples (weighted for averaging) including "loss".
         */
        Stats train(int[] examples, double gradScale);

        /**
         * This micro-batch's share of its optimizer step, relative to the others of the accumulation window:
         * each gets gradScale = weight / (the window's total weight). 1 for every micro-batch (HF Trainer's
         * loss / gradient_accumulation_steps, what DPO and reward training do); a token-averaged loss returns its
         * loss-token count, so the step's gradient is that of the mean over all the window's loss tokens
         * (transformers' num_items_in_batch, as TRL's SFTTrainer trains since transformers 4.46).
         */
        default double weight(int[] examples) {
            return 1;
        }

        /** Metrics over the evaluation set (names without the "eval_" prefix), or null if none. */
        Stats evaluate();

        /** Tokens the given examples process, for the tokens/s display. */
        long tokens(int[] examples);
    }

    /** Told after every optimizer step (progress display, tests). */
    public interface Listener {
        void onStep(int step, int totalSteps, double loss, long tokens);
    }

    private final TrainingArgs args;
    private final Task task;
    private final List<Tensor> params;
    private final Listener listener;

    /**
     * @param params every parameter of the model (all are checkpointed); the trainable ones are those
     *               with a non-null grad
     */
    public TrainLoop(TrainingArgs args, Task task, List<Tensor> params, Listener listener) {
        this.args = args;
        this.task = task;
        this.params = params;
        this.listener = listener;
    }

    /** Optimizer steps of one epoch, as HF's Trainer counts them: ceil(ceil(n / batch) / accumulation). */
    public static int stepsPerEpoch(int examples, int batch, int accumulation) {
        int batches = (examples + batch - 1) / batch;
        return Math.max(1, (batches + accumulation - 1) / accumulation);
    }

    public int totalSteps() {
        return args.totalSteps(task.size());
    }

    /**
     * Runs to the last step and returns the last metrics written; on NaN/Inf checkpoints the last good state and
     * throws {@link TrainingDiverged}. Opens outputDir/metrics.jsonl (on resume: keeping the lines up to the
     * checkpoint's step).
     */
    public Map<String, Double> run() throws IOException {
        int n = task.size();
        int evalEvery = args.evalSteps() > 0 ? args.evalSteps() : args.loggingSteps();
        try (RunState run = new RunState(args, params, n, totalSteps(), Map::of, extra -> {})) {
            while (run.running()) {
                Stats stepStats = new Stats();
                long tokens = 0;
                int accumulation = args.gradientAccumulationSteps();
                int[][] micro = new int[accumulation][];
                double[] weight = new double[accumulation];
                double totalWeight = 0;
                for (int a = 0; a < accumulation; a++) {
                    micro[a] = run.draw(args.batchSize());
                    weight[a] = task.weight(micro[a]);
                    totalWeight += weight[a];
                }
                for (int a = 0; a < accumulation; a++) {
                    tokens += task.tokens(micro[a]);
                    // a window without any weight (no loss tokens at all) has a zero gradient: share it equally
                    double gradScale = totalWeight > 0 ? weight[a] / totalWeight : 1.0 / accumulation;
                    stepStats.merge(task.train(micro[a], gradScale));
                }
                double loss = stepStats.mean("loss");
                double lr = run.lr();
                double gradNorm = run.optimizerStep(lr, loss);
                stepStats.add("grad_norm", gradNorm, 1);
                stepStats.add("learning_rate", lr, 1);
                run.endStep(stepStats);
                if (run.every(evalEvery)) {
                    Stats ev = task.evaluate();
                    if (ev != null) run.logEval(ev);
                }
                run.saveAtCadence();
                if (listener != null) listener.onStep(run.step(), run.total, loss, tokens);
            }
            return run.last();
        }
    }

    /** Training stopped because the loss or the gradient became NaN or infinite. */
    public static final class TrainingDiverged extends RuntimeException {
        public TrainingDiverged(String message) {
            super(message);
        }
    }

    /** Seeded example order: epoch e is a Fisher–Yates shuffle of [0, n) seeded by (seed, e). */
    public static final class DataOrder {
        private DataOrder() {}

        /** The batch of up to {@code size} indices starting at global draw position {@code cursor}. */
        public static int[] batch(int n, long seed, long cursor, int size) {
            long epoch = cursor / n;
            int start = (int) (cursor % n);
            int len = Math.min(size, n - start); // an epoch's last batch may be short, as HF's DataLoader
            int[] perm = permutation(n, seed, epoch);
            int[] out = new int[len];
            System.arraycopy(perm, start, out, 0, len);
            return out;
        }

        static int[] permutation(int n, long seed, long epoch) {
            return shuffle(n, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch));
        }

        /** A Fisher–Yates shuffle of [0, n) drawing from r (also PPO's minibatch order and the --eval-split hold-out). */
        public static int[] shuffle(int n, SplittableRandom r) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }
    }
}
