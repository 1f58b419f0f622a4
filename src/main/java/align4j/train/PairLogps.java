package align4j.train;

import align4j.model.PairBatch;
import align4j.model.Transformer;
import java.util.function.IntConsumer;

/**
 * Summed completion log-probs of many preference pairs under one model, forward only (the reference
 * model, {@code align4j logps}, evaluation), packed a few pairs at a time with prefix sharing.
 */
public final class PairLogps {
    private PairLogps() {}

    /** chosen[i], rejected[i]: Σ_t log p(y_t | prompt, y_&lt;t) over the completion tokens of pair i. */
    public record Result(double[] chosen, double[] rejected) {}

    /**
     * @param maxPairs   pairs per forward pass
     * @param maxTokens  packed tokens per forward pass (a single longer pair still runs alone)
     * @param progress   told how many pairs are done after each pass (may be null)
     */
    public static Result compute(Transformer model, int[][] prompts, int[][] chosen, int[][] rejected,
                                 int maxPairs, int maxTokens, IntConsumer progress) {
        return compute(model, prompts, chosen, rejected, maxPairs, maxTokens, 1.0, progress);
    }

    /** As above, the sums weighted by LD-DPO's ldAlpha ({@link PairBatch#sums(align4j.model.LmHead.Result, double)}). */
    public static Result compute(Transformer model, int[][] prompts, int[][] chosen, int[][] rejected,
                                 int maxPairs, int maxTokens, double ldAlpha, IntConsumer progress) {
        int n = prompts.length;
        double[] c = new double[n], r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i, tokens = 0;
            while (j < n && j - i < maxPairs) {
                int t = prompts[j].length + chosen[j].length + rejected[j].length;
                if (j > i && tokens + t > maxTokens) break;
                tokens += t;
                j++;
            }
            int m = j - i;
            int[][] p = new int[m][], cc = new int[m][], rr = new int[m][];
            System.arraycopy(prompts, i, p, 0, m);
            System.arraycopy(chosen, i, cc, 0, m);
            System.arraycopy(rejected, i, rr, 0, m);
            PairBatch pb = PairBatch.of(p, cc, rr);
            PairBatch.Sums s = pb.sums(model.logps(pb.batch(), false), ldAlpha);
            System.arraycopy(s.chosen(), 0, c, i, m);
            System.arraycopy(s.rejected(), 0, r, i, m);
            i = j;
            if (progress != null) progress.accept(i);
        }
        return new Result(c, r);
    }
}
