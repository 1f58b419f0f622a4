package align4j.train;

import align4j.data.Pairs;
import align4j.loss.KtoLoss;
import align4j.model.LmHead;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import java.util.Map;

/**
 * KTO ({@link KtoLoss}) as a {@link TrainLoop.Task}. Each example is packed with its mismatched (KL) completion as
 * a pair sharing the prompt ({@link PairBatch}: sequence 2i is x_i + y_i, 2i+1 is x_i + y'_i), so one forward gives
 * both summed log-probs; the reference's come from the cache ({@link RefLogpsCache}, whose "chosen" and "rejected"
 * are then the completion and the KL pair). The backward gives ∂loss/∂ℓ to every completion token and nothing to the
 * KL pairs, which TRL runs under {@code no_grad}.
 */
public final class KtoTask implements TrainLoop.Task {
    /**
     * One set of examples: each with its KL pair ({@code pairs.chosen()} the completion, {@code pairs.rejected()} the
     * mismatched one, {@code UnpairedData.klPairs}), its label, and the reference's log-probs of both.
     */
    public record Examples(Pairs pairs, boolean[] labels, PairLogps.Result reference) {
        public Examples {
            if (labels.length != pairs.size() || reference.chosen().length != pairs.size()) {
                throw new IllegalArgumentException("labels and reference log-probs need one value per example");
            }
        }

        public int size() {
            return pairs.size();
        }
    }

    /** A micro-batch's loss result plus the logit sums (over completion tokens and the vocabulary) of each side. */
    public record Step(KtoLoss.Result result, int examples, double chosenLogitSum, double rejectedLogitSum) {}

    private final Transformer policy;
    private final KtoLoss loss;
    private final Examples train, eval;
    private final int evalBatchSize;

    /** eval may be null (no evaluation). */
    public KtoTask(Transformer policy, KtoLoss loss, Examples train, Examples eval, int evalBatchSize) {
        this.policy = policy;
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
        return stats(step(train, examples, true, gradScale));
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalBatchSize);
    }

    /** Metrics of the current policy over a whole set, batch by batch (TRL's logged names, no prefix). */
    public Stats evaluate(Examples set, int batchSize) {
        Stats total = new Stats();
        for (int i = 0; i < set.size(); i += batchSize) {
            int n = Math.min(batchSize, set.size() - i);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) idx[j] = i + j;
            total.merge(stats(step(set, idx, false, 0)));
        }
        return total;
    }

    @Override
    public long tokens(int[] examples) {
        return train.pairs().tokens(examples);
    }

    /** Forward over the examples and their KL pairs, the loss, and (when training) the backward scaled by gradScale. */
    public Step step(Examples set, int[] idx, boolean training, double gradScale) {
        Pairs p = set.pairs().select(idx);
        int n = idx.length;
        boolean[] labels = new boolean[n];
        for (int i = 0; i < n; i++) labels[i] = set.labels()[idx[i]];
        PairBatch pb = PairBatch.of(p.prompts(), p.chosen(), p.rejected());
        LmHead.Result r = policy.logps(pb.batch(), training);
        PairBatch.Sums s = pb.sums(r);
        KtoLoss.Result res = loss.compute(new KtoLoss.Inputs(s.chosen(), Pairs.pick(set.reference().chosen(), idx), labels,
                loss.usesKl() ? s.rejected() : null, loss.usesKl() ? Pairs.pick(set.reference().rejected(), idx) : null));
        if (training) policy.backwardLogps(pb.tokenGrads(res.dPolicy(), new double[n], gradScale));
        double chosenLogits = 0, rejectedLogits = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i]) chosenLogits += s.chosenLogitSum()[i];
            else rejectedLogits += s.chosenLogitSum()[i];
        }
        return new Step(res, n, chosenLogits, rejectedLogits);
    }

    /**
     * What TRL's {@code log} makes of the per-batch metrics, as weighted means so that a window gives the same:
     * loss and kl per example; rewards/chosen = Σ rewards/chosen_sum / Σ count/chosen, and so logps/chosen and
     * logits/chosen (the summed logits of a completion over its tokens and the vocabulary, per example); the same for
     * rejected.
     */
    static Stats stats(Step s) {
        Stats st = new Stats();
        Map<String, Double> m = s.result().metrics();
        st.add("loss", s.result().loss(), s.examples());
        st.add("kl", s.result().kl(), s.examples());
        for (String side : new String[] {"chosen", "rejected"}) {
            Double count = m.get("count/" + side);
            if (count == null) continue;
            st.add("rewards/" + side, m.get("rewards/" + side + "_sum") / count, count);
            st.add("logps/" + side, m.get("logps/" + side + "_sum") / count, count);
            st.add("logits/" + side, (side.equals("chosen") ? s.chosenLogitSum() : s.rejectedLogitSum()) / count, count);
        }
        return st;
    }
}
