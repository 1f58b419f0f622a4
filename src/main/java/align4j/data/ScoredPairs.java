package align4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Preference pairs from scored (pointwise) or ranked (listwise) completions of one prompt: the one place
 * where scores become pairs, used by dataset loading ({@link PreferenceRecords}) and by {@code align4j collect}.
 *
 * <p>Candidates are ordered by score, best first, stable by position; {@link Pairing#ALL_PAIRS} takes every
 * pair (i, j) with s_i &gt; s_j, {@link Pairing#BEST_VS_WORST} the best against the worst. Equal scores make no pair.
 *
 * <p>Deterministic labels put the higher score as chosen. Sampled labels draw the preference from the
 * Bradley–Terry model, P(a ≻ b) = σ((s_a − s_b)/T) (Bradley &amp; Terry 1952; DPO paper, Rafailov et al. 2023,
 * eq. 1 and §6's synthetic preferences), so a noisy labeller's errors are as likely as the reward gap says.
 */
public final class ScoredPairs {
    private ScoredPairs() {}

    /** Indices into the scored list: which completion is chosen and which rejected. */
    public record Pair(int chosen, int rejected) {}

    /** Deterministic labels: the higher score is chosen. */
    public static List<Pair> of(double[] scores, Pairing pairing) {
        return candidates(scores, pairing);
    }

    /**
     * Bradley–Terry labels: for each candidate pair (a better than b), a is chosen with probability
     * σ((s_a − s_b)/temperature), else b; one draw per candidate pair, in candidate order.
     */
    public static List<Pair> sampled(double[] scores, Pairing pairing, double temperature, SplittableRandom rng) {
        if (!(temperature > 0)) throw new IllegalArgumentException("Bradley–Terry temperature must be > 0, got " + temperature);
        List<Pair> out = new ArrayList<>();
        for (Pair p : candidates(scores, pairing)) {
            double pa = 1 / (1 + Math.exp(-(scores[p.chosen] - scores[p.rejected]) / temperature));
            out.add(rng.nextDouble() < pa ? p : new Pair(p.rejected, p.chosen));
        }
        return out;
    }

    /** Listwise: {@code ranks[i]} is completion i's rank, 0 the best; equal ranks tie. */
    public static List<Pair> ofRanks(int[] ranks, Pairing pairing) {
        double[] s = new double[ranks.length];
        for (int i = 0; i < s.length; i++) s[i] = -ranks[i];
        return candidates(s, pairing);
    }

    private static List<Pair> candidates(double[] scores, Pairing pairing) {
        int n = scores.length;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) throw new IllegalArgumentException("score " + i + " is NaN");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a])); // stable: ties keep position order
        List<Pair> out = new ArrayList<>();
        if (pairing == Pairing.BEST_VS_WORST) {
            if (n >= 2 && scores[order[0]] > scores[order[n - 1]]) out.add(new Pair(order[0], order[n - 1]));
            return out;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (scores[order[i]] > scores[order[j]]) out.add(new Pair(order[i], order[j]));
            }
        }
        return out;
    }

    /** The standard (TRL) record of a pair with its scores: what {@code align4j dpo} reads. */
    public static ObjectNode record(JsonNode prompt, JsonNode chosen, JsonNode rejected, double chosenScore,
                                    double rejectedScore) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.set("prompt", prompt);
        record.set("chosen", chosen);
        record.set("rejected", rejected);
        record.put("chosen_score", chosenScore);
        record.put("rejected_score", rejectedScore);
        return record;
    }
}
