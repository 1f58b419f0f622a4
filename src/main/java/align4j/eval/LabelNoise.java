package align4j.eval;

import align4j.data.DatasetAudit;
import align4j.data.Pairs;
import align4j.model.RewardModel;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A label-noise estimate of preference pairs against a reward model ({@code align4j audit-data --reward-model}):
 * the pairs whose reward r(prompt, chosen) is below r(prompt, rejected), i.e. that the reward model orders the
 * other way, with the mean margin r(chosen) − r(rejected). Scores are {@link RewardModel#scorePairs}, as
 * {@code api.Scoring.pairs} (and {@code align4j score}) computes them.
 *
 * @param pairs           pairs scored
 * @param reversed        pairs with r(chosen) &lt; r(rejected)
 * @param ties            pairs with equal rewards
 * @param fraction        reversed / pairs
 * @param meanMargin      mean of r(chosen) − r(rejected) over all pairs
 * @param meanReversedMargin mean margin over the reversed pairs (negative; 0 when there are none)
 * @param examples        up to {@link DatasetAudit#EXAMPLES} locations of reversed pairs, file order
 */
public record LabelNoise(int pairs, int reversed, int ties, double fraction, double meanMargin, double meanReversedMargin,
                         List<String> examples) {

    public static LabelNoise of(RewardModel rm, Pairs p) {
        RewardModel.PairScores s = rm.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
        return of(s.chosen(), s.rejected(), p.sources());
    }

    /** From the two scores of each pair. */
    public static LabelNoise of(double[] chosen, double[] rejected, String[] sources) {
        int n = chosen.length, reversed = 0, ties = 0;
        double sum = 0, sumReversed = 0;
        List<String> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double m = chosen[i] - rejected[i];
            sum += m;
            if (m < 0) {
                reversed++;
                sumReversed += m;
                if (ex.size() < DatasetAudit.EXAMPLES) ex.add(sources[i]);
            } else if (m == 0) {
                ties++;
            }
        }
        return new LabelNoise(n, reversed, ties, n == 0 ? 0 : (double) reversed / n, n == 0 ? 0 : sum / n,
                reversed == 0 ? 0 : sumReversed / reversed, List.copyOf(ex));
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("description", "pairs the reward model orders the other way (r(chosen) < r(rejected))").put("pairs", pairs)
                .put("count", reversed).put("fraction", fraction).put("ties", ties).put("mean_margin", meanMargin)
                .put("mean_reversed_margin", meanReversedMargin);
        examples.forEach(o.putArray("examples")::add);
        return o;
    }

    public String toText() {
        StringBuilder b = new StringBuilder(String.format("%-18s %5d  (%.1f%%)  pairs the reward model orders the other way;"
                + " mean margin r(chosen)-r(rejected) %.4f (reversed pairs %.4f), ties %d of %d%n", "label_noise", reversed,
                100 * fraction, meanMargin, meanReversedMargin, ties, pairs));
        for (String e : examples) b.append("    ").append(e).append(String.format("%n"));
        return b.toString();
    }
}
