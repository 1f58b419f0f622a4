package align4j.model;

/**
 * A batch of preference pairs packed with prefix sharing: for pair i, sequence 2i is prompt+chosen
 * and 2i+1 is prompt+rejected, and the prompt is computed once for both (DESIGN.md "Engine").
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
        double[] logp = new double[2 * pairs], logits = new double[2 * pairs];
        Batch.Targets t = batch.targets();
        for (int j = 0; j < t.size(); j++) {
            logp[t.seq()[j]] += r.logp()[j];
            logits[t.seq()[j]] += r.logitSum()[j];
        }
        double[] lc = new double[pairs], lr = new double[pairs], gc = new double[pairs], gr = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            lc[i] = logp[2 * i];
            lr[i] = logp[2 * i + 1];
            gc[i] = logits[2 * i];
            gr[i] = logits[2 * i + 1];
        }
        return new Sums(lc, lr, gc, gr);
    }

    /** Per pair: summed chosen/rejected log-probs and summed logits (Σ over tokens and vocabulary). */
    public record Sums(double[] chosen, double[] rejected, double[] chosenLogitSum, double[] rejectedLogitSum) {}

    /** Per target token, ∂L/∂logp from ∂L/∂(summed chosen) and ∂L/∂(summed rejected) of each pair. */
    public float[] tokenGrads(double[] dChosen, double[] dRejected, double scale) {
        Batch.Targets t = batch.targets();
        float[] g = new float[t.size()];
        for (int j = 0; j < g.length; j++) {
            int s = t.seq()[j];
            g[j] = (float) (scale * ((s & 1) == 0 ? dChosen[s >> 1] : dRejected[s >> 1]));
        }
        return g;
    }
}
