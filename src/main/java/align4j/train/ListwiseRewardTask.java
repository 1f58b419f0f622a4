package align4j.train;

import align4j.data.RankedLists;
import align4j.loss.PlackettLuceRewardLoss;
import align4j.model.ListBatch;
import align4j.model.RewardModel;
import java.util.Map;

/**
 * Listwise reward-model training as a {@link TrainLoop.Task}: each ranking's prompt is packed once with its K
 * completions attending to it ({@link ListBatch}), the score is read at each completion's last token, and
 * {@link PlackettLuceRewardLoss} is backpropagated through the score head and the backbone. Metrics are
 * {@code reward}'s (loss, accuracy, margin, min/mean/max_reward).
 */
public final class ListwiseRewardTask implements TrainLoop.Task {
    private final RewardModel model;
    private final PlackettLuceRewardLoss loss;
    private final RankedLists train, eval;
    private final int evalBatchSize;

    /** eval may be null (no evaluation). */
    public ListwiseRewardTask(RewardModel model, PlackettLuceRewardLoss loss, RankedLists train, RankedLists eval, int evalBatchSize) {
        this.model = model;
        this.loss = loss;
        this.train = train;
        this.eval = eval;
        this.evalBatchSize = evalBatchSize;
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        RankedLists l = train.select(examples);
        ListBatch lb = ListBatch.of(l.prompts(), l.completions(), model.padTokenId());
        float[] r = model.forward(lb.batch(), lb.lastRows(), true);
        double[] flat = new double[r.length];
        for (int j = 0; j < r.length; j++) flat[j] = r[j];
        PlackettLuceRewardLoss.Result res = loss.compute(lb.split(flat));
        double[] d = lb.flatten(res.dScores());
        float[] g = new float[d.length];
        for (int j = 0; j < d.length; j++) g[j] = (float) (gradScale * d[j]);
        model.backward(g);
        return stats(res, examples.length);
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalBatchSize);
    }

    /** The loss and metrics over a whole set at once (scored batch by batch). */
    public Stats evaluate(RankedLists lists, int batchSize) {
        double[][] scores = new double[lists.size()][];
        for (int i = 0; i < lists.size(); i += batchSize) {
            int n = Math.min(batchSize, lists.size() - i);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) idx[j] = i + j;
            RankedLists l = lists.select(idx);
            ListBatch lb = ListBatch.of(l.prompts(), l.completions(), model.padTokenId());
            float[] r = model.forward(lb.batch(), lb.lastRows(), false);
            double[] flat = new double[r.length];
            for (int j = 0; j < r.length; j++) flat[j] = r[j];
            System.arraycopy(lb.split(flat), 0, scores, i, n);
        }
        return stats(loss.compute(scores), lists.size());
    }

    @Override
    public long tokens(int[] examples) {
        return train.tokens(examples);
    }

    private static Stats stats(PlackettLuceRewardLoss.Result r, int lists) {
        Stats st = new Stats();
        for (Map.Entry<String, Double> e : r.metrics().toMap("").entrySet()) st.add(e.getKey(), e.getValue(), lists);
        return st;
    }
}
