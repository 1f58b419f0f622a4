package align4j.train;

import align4j.data.Pairs;
import align4j.model.RewardModel;
import align4j.loss.BradleyTerryLoss;
import java.util.List;
import java.util.Map;

/**
 * Reward-model training (TRL RewardTrainer) as a {@link TrainLoop.Task}: each pair's prompt is packed once
 * with both completions attending to it (prefix sharing), the model's score is read at the last token of
 * prompt+chosen and prompt+rejected, and {@link BradleyTerryLoss} (with the optional per-pair margin and
 * reward centering) is backpropagated through the score head and the backbone.
 */
public final class RewardTask implements TrainLoop.Task {
    private final RewardModel model;
    private final BradleyTerryLoss loss;
    private final Pairs train, eval;
    private final double[] trainMargin, evalMargin;
    private final int evalBatchSize;

    /** Margins may be null (none); eval may be null (no evaluation). */
    public RewardTask(RewardModel model, BradleyTerryLoss loss, Pairs train, double[] trainMargin, Pairs eval,
                      double[] evalMargin, int evalBatchSize) {
        this.model = model;
        this.loss = loss;
        this.train = train;
        this.trainMargin = trainMargin;
        this.eval = eval;
        this.evalMargin = evalMargin;
        this.evalBatchSize = evalBatchSize;
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        Pairs p = train.select(examples);
        RewardModel.PackedPairs pp = RewardModel.PackedPairs.of(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()),
                model.padTokenId());
        float[] r = model.forward(pp.batch(), pp.lastRows(), true);
        int n = p.size();
        double[] rc = new double[n], rr = new double[n];
        for (int i = 0; i < n; i++) {
            rc[i] = r[2 * i];
            rr[i] = r[2 * i + 1];
        }
        BradleyTerryLoss.Result res = loss.compute(rc, rr, Pairs.pick(trainMargin, examples));
        float[] d = new float[2 * n];
        for (int i = 0; i < n; i++) {
            d[2 * i] = (float) (gradScale * res.dChosen()[i]);
            d[2 * i + 1] = (float) (gradScale * res.dRejected()[i]);
        }
        model.backward(d);
        return stats(res, n);
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalMargin, evalBatchSize);
    }

    /** The loss and metrics over a whole set at once (min/max over all its rewards, not per batch). */
    public Stats evaluate(Pairs pairs, double[] margin, int batchSize) {
        RewardModel.PairScores s = model.scoreBatchSize(batchSize)
                .scorePairs(List.of(pairs.prompts()), List.of(pairs.chosen()), List.of(pairs.rejected()));
        return stats(loss.compute(s.chosen(), s.rejected(), margin), pairs.size());
    }

    @Override
    public long tokens(int[] examples) {
        return train.tokens(examples);
    }

    /** TRL's names (loss, accuracy, margin, min/mean/max_reward), weighted by pairs so windows average per pair. */
    private static Stats stats(BradleyTerryLoss.Result r, int pairs) {
        Stats st = new Stats();
        for (Map.Entry<String, Double> e : r.toMap("").entrySet()) st.add(e.getKey(), e.getValue(), pairs);
        return st;
    }

}
