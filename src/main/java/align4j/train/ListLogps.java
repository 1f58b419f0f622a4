package align4j.train;

import align4j.data.RankedLists;
import align4j.model.ListBatch;
import align4j.model.Transformer;
import java.util.function.IntConsumer;

/**
 * Summed completion log-probs of every completion of many rankings under one model, forward only (the reference
 * model, evaluation): {@link PairLogps} for lists, packed a few lists at a time with each prompt shared.
 */
public final class ListLogps {
    private ListLogps() {}

    /**
     * Per list, per completion (best first): Σ_t log p(y_t | prompt, y_&lt;t).
     *
     * @param maxLists  lists per forward pass
     * @param maxTokens packed tokens per forward pass (a single longer list still runs alone)
     * @param progress  told how many lists are done after each pass (may be null)
     */
    public static double[][] compute(Transformer model, RankedLists lists, int maxLists, int maxTokens, IntConsumer progress) {
        int n = lists.size();
        double[][] out = new double[n][];
        int i = 0;
        while (i < n) {
            int j = i, tokens = 0;
            while (j < n && j - i < maxLists) {
                int t = lists.prompts()[j].length;
                for (int[] c : lists.completions()[j]) t += c.length;
                if (j > i && tokens + t > maxTokens) break;
                tokens += t;
                j++;
            }
            int[] idx = new int[j - i];
            for (int k = 0; k < idx.length; k++) idx[k] = i + k;
            RankedLists part = lists.select(idx);
            ListBatch lb = ListBatch.of(part.prompts(), part.completions(), -1);
            double[][] s = lb.sums(model.logps(lb.batch(), false));
            System.arraycopy(s, 0, out, i, s.length);
            i = j;
            if (progress != null) progress.accept(i);
        }
        return out;
    }
}
