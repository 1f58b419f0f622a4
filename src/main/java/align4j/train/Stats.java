package align4j.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Weighted running means of named metrics, so a logged value is the mean over every example of the
 * optimizer steps it covers, whatever the micro-batch and accumulation split (TRL issue #2456/#7047:
 * metrics mis-weighted by uneven accumulation windows).
 */
public final class Stats {
    private final Map<String, double[]> sums = new LinkedHashMap<>();

    /** Adds value with the given weight (e.g. the pairs of a micro-batch, or tokens). */
    public Stats add(String name, double value, double weight) {
        double[] s = sums.computeIfAbsent(name, k -> new double[2]);
        s[0] += value * weight;
        s[1] += weight;
        return this;
    }

    public Stats merge(Stats other) {
        for (Map.Entry<String, double[]> e : other.sums.entrySet()) {
            double[] s = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
            s[0] += e.getValue()[0];
            s[1] += e.getValue()[1];
        }
        return this;
    }

    public boolean isEmpty() {
        return sums.isEmpty();
    }

    public double mean(String name) {
        double[] s = sums.get(name);
        return s == null || s[1] == 0 ? Double.NaN : s[0] / s[1];
    }

    /** Means by name, each name optionally prefixed (TRL's "eval_"). */
    public Map<String, Double> means(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue()[1] == 0 ? Double.NaN : e.getValue()[0] / e.getValue()[1]);
        }
        return out;
    }

    /** Raw (sum, weight) pairs, for checkpointing a partly filled logging window. */
    public Map<String, double[]> raw() {
        return sums;
    }

    public static Stats fromRaw(Map<String, double[]> raw) {
        Stats s = new Stats();
        raw.forEach((k, v) -> s.sums.put(k, v.clone()));
        return s;
    }
}
