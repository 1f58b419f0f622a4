package align4j.train;

import align4j.data.RankedLists;
import align4j.loss.PlackettLuceDpoLoss;
import align4j.model.LmHead;
import align4j.model.ListBatch;
import align4j.model.Transformer;
import java.util.Map;

/**
 * Listwise DPO as a {@link TrainLoop.Task}: a micro-batch of rankings is packed with each prompt shared by its K
 * completions ({@link ListBatch}), the policy's summed log-probs go with the cached reference ones into
 * {@link PlackettLuceDpoLoss}, and each completion's gradient is backpropagated through every one of its tokens.
 * Metrics are TRL's DPO names ("chosen" the best completion, "rejected" the worst).
 */
public final class ListwiseDpoTask implements TrainLoop.Task {
    private final Transformer policy;
    private final PlackettLuceDpoLoss loss;
    private final RankedLists train, eval;
    private final double[][] trainRef, evalRef;
    private final int evalBatchSize;

    /** eval and evalRef may be null (no evaluation); refs hold each completion's summed reference log-prob. */
    public ListwiseDpoTask(Transformer policy, PlackettLuceDpoLoss loss, RankedLists train, double[][] trainRef, RankedLists eval,
                           double[][] evalRef, int evalBatchSize) {
        this.policy = policy;
        this.loss = loss;
        this.train = train;
        this.trainRef = trainRef;
        this.eval = eval;
        this.evalRef = evalRef;
        this.evalBatchSize = evalBatchSize;
    }

    public double[][] trainReference() {
        return trainRef;
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        RankedLists l = train.select(examples);
        ListBatch lb = ListBatch.of(l.prompts(), l.completions(), -1);
        LmHead.Result r = policy.logps(lb.batch(), true);
        PlackettLuceDpoLoss.Result res = loss.compute(lb.sums(r), RankedLists.pick(trainRef, examples));
        policy.backwardLogps(lb.tokenGrads(res.dPolicy(), gradScale));
        return stats(res, examples.length);
    }

    /** Loss and gradients wrt each completion's summed log-prob for the given lists, nothing backpropagated (tests). */
    public PlackettLuceDpoLoss.Result loss(int[] examples) {
        RankedLists l = train.select(examples);
        ListBatch lb = ListBatch.of(l.prompts(), l.completions(), -1);
        return loss.compute(lb.sums(policy.logps(lb.batch(), false)), RankedLists.pick(trainRef, examples));
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalRef, evalBatchSize);
    }

    /** Metrics of the current policy over a whole set of rankings, batch by batch. */
    public Stats evaluate(RankedLists lists, double[][] ref, int batchSize) {
        Stats total = new Stats();
        for (int i = 0; i < lists.size(); i += batchSize) {
            int n = Math.min(batchSize, lists.size() - i);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) idx[j] = i + j;
            RankedLists l = lists.select(idx);
            ListBatch lb = ListBatch.of(l.prompts(), l.completions(), -1);
            total.merge(stats(loss.compute(lb.sums(policy.logps(lb.batch(), false)), RankedLists.pick(ref, idx)), n));
        }
        return total;
    }

    @Override
    public long tokens(int[] examples) {
        return train.tokens(examples);
    }

    private static Stats stats(PlackettLuceDpoLoss.Result r, int lists) {
        Stats st = new Stats();
        for (Map.Entry<String, Double> e : r.metrics().toMap("").entrySet()) st.add(e.getKey(), e.getValue(), lists);
        return st;
    }
}
