package align4j.train;

import align4j.data.Pairs;
import align4j.loss.PolicyPairLoss;
import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.LmHead;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import java.util.Map;

/**
 * A reference-free pair loss ({@link PolicyPairLoss}: ORPO, CPO, SimPO) as a {@link TrainLoop.Task}: per micro-batch
 * one forward of the policy over the packed pairs, the loss of the per-sequence sums, and the backward of
 * ∂loss/∂ℓ, which every scored token of a sequence shares, ℓ being a sum.
 *
 * <p>The pairs are packed with prefix sharing as for DPO ({@link PairBatch}). When the loss's NLL covers the prompt
 * (TRL's ORPO), the prompt is itself a scored segment, so its tokens after the first get log-probs too: pair i is
 * then sequence 3i (the prompt, a completion of an empty prompt), 3i+1 (chosen) and 3i+2 (rejected), both
 * completions attending to the prompt segment as their parent, so their log-probs are those {@link PairBatch} gives
 * (PolicyPairTaskTest checks them, and the prompt's, against each sequence run alone).
 */
public final class PolicyPairTask implements TrainLoop.Task {
    private final Transformer policy;
    private final PolicyPairLoss loss;
    private final Pairs train, eval;
    private final int evalBatchSize;

    /** eval may be null (no evaluation). */
    public PolicyPairTask(Transformer policy, PolicyPairLoss loss, Pairs train, Pairs eval, int evalBatchSize) {
        this.policy = policy;
        this.loss = loss;
        this.train = train;
        this.eval = eval;
        this.evalBatchSize = evalBatchSize;
    }

    /** One micro-batch's loss result plus the logit sums TRL's logits/* metrics need. */
    public record Step(PolicyPairLoss.Result result, int pairs, double chosenLogitSum, double rejectedLogitSum,
                       long chosenTokens, long rejectedTokens, int vocab) {}

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Stats train(int[] examples, double gradScale) {
        return stats(step(train.select(examples), true, gradScale));
    }

    @Override
    public Stats evaluate() {
        return eval == null ? null : evaluate(eval, evalBatchSize);
    }

    /** Metrics of the current policy over a whole set of pairs, batch by batch (TRL's names, no prefix). */
    public Stats evaluate(Pairs pairs, int batchSize) {
        Stats total = new Stats();
        for (int i = 0; i < pairs.size(); i += batchSize) {
            int n = Math.min(batchSize, pairs.size() - i);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) idx[j] = i + j;
            total.merge(stats(step(pairs.select(idx), false, 0)));
        }
        return total;
    }

    @Override
    public long tokens(int[] examples) {
        return train.tokens(examples);
    }

    /**
     * Forward over the pairs, the loss, and (when training) the backward, adding gradScale·∂loss/∂θ to the
     * trainable gradients.
     */
    public Step step(Pairs p, boolean training, double gradScale) {
        boolean scorePrompt = loss.nllOverPrompt();
        int k = scorePrompt ? 3 : 2, first = scorePrompt ? 1 : 0, n = p.size();
        Batch batch = pack(p, scorePrompt);
        LmHead.Result r = policy.logps(batch, training);
        int[] seq = batch.targets().seq();
        double[] sum = new double[k * n], logits = new double[k * n];
        int[] count = new int[k * n];
        for (int j = 0; j < seq.length; j++) {
            sum[seq[j]] += r.logp()[j];
            logits[seq[j]] += r.logitSum()[j];
            count[seq[j]]++;
        }
        double[] lw = new double[n], ll = new double[n], lp = new double[n];
        int[] nw = new int[n], nl = new int[n], np = new int[n];
        double chosenLogits = 0, rejectedLogits = 0;
        long chosenTokens = 0, rejectedTokens = 0;
        for (int i = 0; i < n; i++) {
            int c = k * i + first, rj = c + 1;
            lw[i] = sum[c];
            ll[i] = sum[rj];
            nw[i] = count[c];
            nl[i] = count[rj];
            lp[i] = scorePrompt ? sum[k * i] : 0;
            np[i] = scorePrompt ? count[k * i] : 0;
            chosenLogits += logits[c];
            rejectedLogits += logits[rj];
            chosenTokens += nw[i];
            rejectedTokens += nl[i];
        }
        PolicyPairLoss.Result res = loss.compute(new PolicyPairLoss.Inputs(lw, ll, nw, nl, scorePrompt ? lp : null,
                scorePrompt ? np : null));
        if (training) {
            float[] g = new float[seq.length];
            for (int j = 0; j < g.length; j++) {
                int i = seq[j] / k, role = seq[j] % k - first;
                double d = role < 0 ? res.dPrompt()[i] : role == 0 ? res.dChosen()[i] : res.dRejected()[i];
                g[j] = (float) (gradScale * d);
            }
            policy.backwardLogps(g);
        }
        return new Step(res, n, chosenLogits, rejectedLogits, chosenTokens, rejectedTokens, policy.head().vocab());
    }

    /** The packed batch: {@link PairBatch}'s, or with the prompts scored (sequences 3i, 3i+1, 3i+2). */
    static Batch pack(Pairs p, boolean scorePrompt) {
        if (!scorePrompt) return PairBatch.of(p.prompts(), p.chosen(), p.rejected()).batch();
        BatchBuilder b = new BatchBuilder();
        for (int i = 0; i < p.size(); i++) {
            BatchBuilder.Prompt none = b.addPrompt(new int[0]);
            int start = b.tokens();
            b.addCompletion(none, p.prompts()[i]);
            BatchBuilder.Prompt prompt = new BatchBuilder.Prompt(start, p.prompts()[i].length);
            b.addCompletion(prompt, p.chosen()[i]);
            b.addCompletion(prompt, p.rejected()[i]);
        }
        return b.build();
    }

    /**
     * TRL's metrics weighted by pairs, logits/* (the mean logit over completion tokens and the vocabulary, as
     * align4j's DPO reports it) by tokens, so that windows average per example.
     */
    private static Stats stats(Step s) {
        Stats st = new Stats();
        for (Map.Entry<String, Double> e : s.result().metrics().entrySet()) st.add(e.getKey(), e.getValue(), s.pairs());
        st.add("logits/chosen", s.chosenLogitSum() / Math.max(1.0, (double) s.chosenTokens() * s.vocab()), s.chosenTokens());
        st.add("logits/rejected", s.rejectedLogitSum() / Math.max(1.0, (double) s.rejectedTokens() * s.vocab()), s.rejectedTokens());
        return st;
    }
}
