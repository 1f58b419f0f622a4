package align4j.train;

import align4j.data.Pairs;
import align4j.model.PairBatch;
import java.util.Map;

/** DPO as a {@link TrainLoop.Task}: pairs, their cached reference log-probs, and the objective. */
public final class DpoTask implements TrainLoop.Task {
    private final DpoObjective objective;
    private final Pairs train, eval;
    private final PairLogps.Result trainRef, evalRef;
    private final int evalBatchSize;

    /** eval and evalRef may be null (no evaluation). */
    public DpoTask(DpoObjective objective, Pairs train, PairLogps.Result trainRef, Pairs eval, PairLogps.Result evalRef,
                   int evalBatchSize) {
        this.objective = objective;
        this.train = train;
        this.trainRef = trainRef;
        this.eval = eval;
        this.evalRef = evalRef;
        this.evalBatchSize = evalBatchSize;
    }

    /** The reference log-probs of the training pairs. */
    public PairLogps.Result trainReference() {
        return trainRef;
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        Pairs p = train.select(examples);
        DpoObjective.Step s = objective.train(PairBatch.of(p.prompts(), p.chosen(), p.rejected()),
                Pairs.pick(trainRef.chosen(), examples), Pairs.pick(trainRef.rejected(), examples), gradScale);
        return stats(s);
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalRef, evalBatchSize);
    }

    /** Metrics of the current policy over a whole set of pairs, batch by batch. */
    public Stats evaluate(Pairs pairs, PairLogps.Result ref, int batchSize) {
        Stats total = new Stats();
        for (int i = 0; i < pairs.size(); i += batchSize) {
            int n = Math.min(batchSize, pairs.size() - i);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) idx[j] = i + j;
            Pairs p = pairs.select(idx);
            total.merge(stats(objective.evaluate(PairBatch.of(p.prompts(), p.chosen(), p.rejected()),
                    Pairs.pick(ref.chosen(), idx), Pairs.pick(ref.rejected(), idx))));
        }
        return total;
    }

    @Override
    public long tokens(int[] examples) {
        return train.tokens(examples);
    }

    /** TRL's DPO metrics, weighted by pairs (logits/* by completion tokens), so windows average per example. */
    private static Stats stats(DpoObjective.Step s) {
        Stats st = new Stats();
        for (Map.Entry<String, Double> e : s.metrics().toMap("").entrySet()) st.add(e.getKey(), e.getValue(), s.pairs());
        st.add("logits/chosen", s.logitsChosen(), s.chosenTokens());
        st.add("logits/rejected", s.logitsRejected(), s.rejectedTokens());
        return st;
    }

}
