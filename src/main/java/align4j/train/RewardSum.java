package align4j.train;

import align4j.InputException;
import align4j.data.DatasetRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several rewards at once, as TRL's GRPOTrainer combines its {@code reward_funcs}: the reward of rollout i is
 * Σ_k w_k·r_k(i), summed in term order, and each term's mean and standard deviation over the batch are logged as
 * {@code rewards/<name>/mean} and {@code rewards/<name>/std} (TRL's names; the std is unbiased, as its
 * {@code nanstd}). One term of weight 1 scores exactly as the function alone.
 *
 * @param terms the functions, each with its metric name and weight; names are distinct
 */
public record RewardSum(List<Term> terms) implements RewardFunction {

    /** One reward function with the name its metrics carry and its weight in the sum. */
    public record Term(String name, double weight, RewardFunction function) {
        public Term {
            if (!Double.isFinite(weight)) throw new InputException("reward '" + name + "': the weight must be finite, got " + weight);
        }
    }

    public RewardSum {
        if (terms.isEmpty()) throw new InputException("no reward functions to sum");
        Set<String> seen = new HashSet<>();
        for (Term t : terms) {
            if (!seen.add(t.name())) throw new InputException("reward '" + t.name() + "' is given twice");
        }
        terms = List.copyOf(terms);
    }

    @Override
    public float[] score(Rollouts rollouts) {
        return score(rollouts, null);
    }

    @Override
    public float[] score(Rollouts rollouts, Stats stats) {
        return score(rollouts, stats, null);
    }

    /** score(rollouts, stats), also putting each term's unweighted scores into perTerm by name (null: not). */
    public float[] score(Rollouts rollouts, Stats stats, Map<String, float[]> perTerm) {
        double[] sum = new double[rollouts.size()];
        for (Term t : terms) {
            float[] r = t.function().score(rollouts);
            if (r.length != sum.length) {
                throw new IllegalStateException("reward '" + t.name() + "' gave " + r.length + " scores for " + sum.length + " rollouts");
            }
            if (perTerm != null) perTerm.put(t.name(), r);
            for (int i = 0; i < sum.length; i++) sum[i] += t.weight() * r[i];
            if (stats != null) {
                stats.add("rewards/" + t.name() + "/mean", mean(r), 1);
                stats.add("rewards/" + t.name() + "/std", std(r), 1);
            }
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) sum[i];
        return out;
    }

    @Override
    public void check(List<DatasetRecord> records) {
        for (Term t : terms) t.function().check(records);
    }

    private static double mean(float[] x) {
        double s = 0;
        for (float v : x) s += v;
        return s / x.length;
    }

    /** Unbiased standard deviation (Bessel's n − 1, as torch.std); 0 for fewer than two values. */
    private static double std(float[] x) {
        if (x.length < 2) return 0;
        double m = mean(x), ss = 0;
        for (float v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (x.length - 1));
    }
}
