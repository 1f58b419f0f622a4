package align4j.api;

import align4j.InputException;
import align4j.eval.BestOfN;
import align4j.eval.Sample;
import align4j.eval.Scorer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Best-of-N, the no-training baseline: of N samples per prompt the one the scorer rates highest is kept. The mean
 * reward of the kept samples is reported against that of a single sample (the mean over all N·prompts samples, an
 * unbiased estimate of E_π[r]), with the analytic KL(π_BoN‖π) = log N − (N−1)/N ({@link BestOfN#analyticKl}).
 */
public final class BestOfNSampling {
    private BestOfNSampling() {}

    /**
     * Per prompt: its record plus the best completion, its {@code reward} and every sample's {@code rewards}; and the
     * means over prompts.
     */
    public record Result(List<ObjectNode> records, double meanRewardBest, double meanRewardSingle, double klAnalytic) {}

    /** referenceField: each prompt record's field holding a reference completion (reference functions), or null. */
    public static Result select(Samples samples, Scorer scorer, String referenceField) {
        if (!(scorer instanceof align4j.eval.RewardModelScorer) && samples.tokenizer() == null) {
            throw new InputException(scorer.name() + " reads text, but the policy folder has no tokenizer.json");
        }
        int m = samples.prompts().size(), n = samples.n();
        List<Sample> all = new ArrayList<>(m * n);
        for (int i = 0; i < m; i++) all.addAll(samples.samples(i, referenceField));
        double[] r;
        try {
            r = scorer.score(all);
        } catch (InputException e) {
            throw new InputException(scorer.name() + ": " + e.getMessage());
        }
        double sumBest = 0, sumAll = 0;
        List<ObjectNode> records = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            int b = BestOfN.best(r, i * n, n);
            ObjectNode rec = samples.completionRecord(i, b);
            rec.put("reward", r[i * n + b]);
            ArrayNode rs = rec.putArray("rewards");
            for (int j = 0; j < n; j++) rs.add(r[i * n + j]);
            records.add(rec);
            sumBest += r[i * n + b];
            for (int j = 0; j < n; j++) sumAll += r[i * n + j];
        }
        return new Result(records, sumBest / m, sumAll / (m * (double) n), BestOfN.analyticKl(n));
    }
}
