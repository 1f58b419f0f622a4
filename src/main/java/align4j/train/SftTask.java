package align4j.train;

import align4j.data.SequenceExample;
import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.LmHead;
import align4j.model.Transformer;
import java.util.List;

/**
 * Supervised fine-tuning (TRL SFTTrainer) as a {@link TrainLoop.Task}: the loss is the mean negative
 * log-likelihood over the loss tokens of an optimizer step (completion or assistant tokens, or all tokens for
 * language modelling), L = −(1/N)·Σ_j log p(y_j | y_&lt;j), so ∂L/∂logp_j = −1/N at every loss token. With
 * gradient accumulation N counts the tokens of the whole window ({@link #weight}; transformers'
 * num_items_in_batch): a micro-batch of n tokens trains with gradScale n/N, so its ∂L/∂logp_j is −gradScale/n.
 * Metrics as TRL logs them: {@code loss}, {@code mean_token_accuracy} (argmax = target), {@code entropy}
 * (of the predicted distribution), each a mean over loss tokens.
 */
public final class SftTask implements TrainLoop.Task {
    private final Transformer model;
    private final List<SequenceExample> train, eval;
    private final int evalBatchSize;

    /** eval may be null (no evaluation). */
    public SftTask(Transformer model, List<SequenceExample> train, List<SequenceExample> eval, int evalBatchSize) {
        this.model = model;
        this.train = train;
        this.eval = eval;
        this.evalBatchSize = evalBatchSize;
    }

    @Override
    public int size() {
        return train.size();
    }

    /** The examples packed into one batch, each masked to its loss tokens. */
    public static Batch pack(List<SequenceExample> examples, int[] idx) {
        BatchBuilder b = new BatchBuilder();
        for (int i : idx) b.addMaskedSequence(examples.get(i).ids(), examples.get(i).lossMask());
        return b.build();
    }

    /**
     * The micro-batch's loss tokens (the targets {@link #pack} makes, counted without packing): with accumulation
     * the step's loss is the mean over all the window's tokens.
     */
    @Override
    public double weight(int[] examples) {
        long n = 0;
        for (int i : examples) n += train.get(i).lossTokens();
        return n;
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        Batch batch = pack(train, examples);
        int n = batch.targets().size();
        LmHead.Result r = model.logps(batch, true);
        Stats st = stats(batch, r);
        if (n > 0) {
            float[] d = new float[n];
            java.util.Arrays.fill(d, (float) (-gradScale / n));
            model.backwardLogps(d);
        }
        return st;
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalBatchSize);
    }

    /** Token-weighted loss, accuracy and entropy over a whole set, batch by batch (forward only). */
    public Stats evaluate(List<SequenceExample> set, int batchSize) {
        Stats total = new Stats();
        for (int s = 0; s < set.size(); s += batchSize) {
            int e = Math.min(set.size(), s + batchSize);
            int[] idx = new int[e - s];
            for (int i = 0; i < idx.length; i++) idx[i] = s + i;
            Batch batch = pack(set, idx);
            total.merge(stats(batch, model.logps(batch, false)));
        }
        return total;
    }

    /** Metrics weighted by loss tokens, so that windows and eval sets average per token as TRL does. */
    private Stats stats(Batch batch, LmHead.Result r) {
        Batch.Targets t = batch.targets();
        int n = t.size();
        Stats st = new Stats();
        if (n == 0) return st;
        boolean[] correct = new boolean[n];
        double[] entropy = new double[n];
        model.head().predictionStats(t.tokens(), correct, entropy);
        double nll = 0, acc = 0, ent = 0;
        for (int j = 0; j < n; j++) {
            nll -= r.logp()[j];
            acc += correct[j] ? 1 : 0;
            ent += entropy[j];
        }
        st.add("loss", nll / n, n);
        st.add("mean_token_accuracy", acc / n, n);
        st.add("entropy", ent / n, n);
        return st;
    }

    @Override
    public long tokens(int[] examples) {
        long t = 0;
        for (int i : examples) t += train.get(i).ids().length;
        return t;
    }
}
