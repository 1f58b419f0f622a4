package align4j.model;

/**
 * A batch of preference pairs packed with prefix sharing: for pair i, sequence 2i is prompt+chosen
 * and 2i+1 is prompt+rejected, and the prompt is computed once for both
 * (docs/DESIGN.md#packed-batches-and-prefix-sharing).
 *
 * @param completionTokens per sequence, the number of scored completion tokens
 */
public record PairBatch(Batch batch, int pairs, int[] completionTokens) {

    public static PairBatch of(int[][] prompts, int[][] chosen, int[][] rejected) {
        BatchBuilder b = new BatchBuilder();
        int n = prompts.length;
        int[] lengths = new int[2 * n];
        for (int i = 0; i < n; i++) {
            BatchBuilder.Prompt p = b.addPrompt(prompts[i]);
            b.addCompletion(p, chosen[i]);
            b.addCompletion(p, rejected[i]);
            lengths[2 * i] = prompts[i].length == 0 ? chosen[i].length - 1 : chosen[i].length;
            lengths[2 * i + 1] = prompts[i].length == 0 ? rejected[i].length - 1 : rejected[i].length;
        }
        return new PairBatch(b.build(), n, lengths);
    }

    /** Summed log-probs, per-sequence sums of logits (over vocabulary and tokens), from the head's result. */
    public Sums sums(LmHead.Result r) {
        return sums(r, 1.0);
    }

    /**
     * As {@link #sums(LmHead.Result)}, with LD-DPO's weighting of the log-probs (Liu et al. 2024, "Length
     * Desensitization in Direct Preference Optimization", arXiv 2409.06411; TRL {@code ld_alpha}): of each
     * completion, the first min(|y_w|, |y_l|) tokens of its pair count once and the rest ldAlpha times. With
     * ldAlpha = 1 these are the plain sums. {@link Sums#chosenPlain()} always holds the plain chosen sums.
     */
    public Sums sums(LmHead.Result r, double ldAlpha) {
        double[] logp = new double[2 * pairs], plain = new double[2 * pairs], logits = new double[2 * pairs];
        Batch.Targets t = batch.targets();
        float[] w = tokenWeights(ldAlpha);
        for (int j = 0; j < t.size(); j++) {
            logp[t.seq()[j]] += w[j] * (double) r.logp()[j];
            plain[t.seq()[j]] += r.logp()[j];
            logits[t.seq()[j]] += r.logitSum()[j];
        }
        double[] lc = new double[pairs], lr = new double[pairs], pc = new double[pairs], gc = new double[pairs], gr = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            lc[i] = logp[2 * i];
            lr[i] = logp[2 * i + 1];
            pc[i] = plain[2 * i];
            gc[i] = logits[2 * i];
            gr[i] = logits[2 * i + 1];
        }
        return new Sums(lc, lr, pc, gc, gr);
    }

    /**
     * Per pair: summed chosen/rejected log-probs (LD-weighted when asked), the plain chosen sums and summed
     * logits (Σ over tokens and vocabulary).
     */
    public record Sums(double[] chosen, double[] rejected, double[] chosenPlain, double[] chosenLogitSum,
                       double[] rejectedLogitSum) {}

    /**
     * Per target token, its weight in its sequence's sum: 1 for the k-th completion token (k from 0) while
     * k &lt; min(|y_w|, |y_l|) of its pair, ldAlpha after (LD-DPO; all 1 when ldAlpha = 1).
     */
    public float[] tokenWeights(double ldAlpha) {
        Batch.Targets t = batch.targets();
        float[] w = new float[t.size()];
        int[] rank = new int[2 * pairs];
        for (int j = 0; j < w.length; j++) {
            int s = t.seq()[j], i = s >> 1;
            int shared = Math.min(completionTokens[2 * i], completionTokens[2 * i + 1]);
            w[j] = rank[s]++ < shared ? 1f : (float) ldAlpha;
        }
        return w;
    }

    /** Per target token, ∂L/∂logp from ∂L/∂(summed chosen) and ∂L/∂(summed rejected) of each pair. */
    public float[] tokenGrads(double[] dChosen, double[] dRejected, double scale) {
        return tokenGrads(dChosen, dRejected, null, 1.0, scale);
    }

    /**
     * Per target token, ∂L/∂logp: the sequence's gradient through its (LD-weighted) sum times the token's weight,
     * plus, for chosen tokens, ∂L/∂(plain chosen sum) when given (the sft term's NLL, which LD-DPO leaves unweighted).
     */
    public float[] tokenGrads(double[] dChosen, double[] dRejected, double[] dChosenPlain, double ldAlpha, double scale) {
        Batch.Targets t = batch.targets();
        float[] w = tokenWeights(ldAlpha);
        float[] g = new float[t.size()];
        for (int j = 0; j < g.length; j++) {
            int s = t.seq()[j], i = s >> 1;
            boolean chosen = (s & 1) == 0;
            double d = w[j] * (chosen ? dChosen[i] : dRejected[i]);
            if (chosen && dChosenPlain != null) d += dChosenPlain[i];
            g[j] = (float) (scale * d);
        }
        return g;
    }
}
