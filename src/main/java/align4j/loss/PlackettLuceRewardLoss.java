package align4j.loss;

import align4j.InputException;

/**
 * Listwise reward-model loss: the Plackett–Luce negative log-likelihood of each list's ranking under the reward
 * model's scores (Plackett 1975; Luce 1959; DPO paper, Rafailov et al. 2023, arXiv 2305.18290, Appendix A.3 with
 * the scores as utilities), plus reward centering generalised to K completions:
 * <pre>L = mean_i[−log Π_k exp(r_i,τ(k)) / Σ_{j≥k} exp(r_i,τ(j))] + c·mean_i[(Σ_k r_i,k)²]</pre>
 * With K = 2 it is {@link BradleyTerryLoss} without margins, bit for bit, and reports the same metrics (best
 * completion against worst for {@code accuracy} and {@code margin}, min/mean/max over every score).
 *
 * @param centerRewardsCoefficient c (TRL {@code center_rewards_coefficient}; 0 disables it)
 */
public record PlackettLuceRewardLoss(double centerRewardsCoefficient) {
    public PlackettLuceRewardLoss {
        if (!(centerRewardsCoefficient >= 0) || Double.isInfinite(centerRewardsCoefficient)) {
            throw new InputException("center_rewards_coefficient must be ≥ 0, got " + centerRewardsCoefficient);
        }
    }

    /** Loss, ∂loss/∂r per list and completion, and {@link BradleyTerryLoss}'s metrics. */
    public record Result(double loss, double[][] dScores, BradleyTerryLoss.Result metrics) {}

    /** @param scores per list, the reward of each completion in ranked order (best first) */
    public Result compute(double[][] scores) {
        int n = scores.length;
        if (n == 0) throw new IllegalArgumentException("empty batch");
        double nll = 0, center = 0, acc = 0, marginSum = 0, sum = 0;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        long count = 0;
        double[][] d = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] r = scores[i];
            int k = r.length;
            d[i] = new double[k];
            nll += PlackettLuce.negLogLikelihood(r, 1.0, d[i], n);
            double s = 0;
            for (double x : r) s += x;
            center += s * s;
            double gc = centerRewardsCoefficient * 2 * s / n;
            for (int j = 0; j < k; j++) {
                d[i][j] = d[i][j] + gc;
                min = Math.min(min, r[j]);
                max = Math.max(max, r[j]);
            }
            sum += s;
            count += k;
            if (r[0] > r[k - 1]) acc += 1;
            marginSum += r[0] - r[k - 1];
        }
        double loss = nll / n + centerRewardsCoefficient * center / n;
        BradleyTerryLoss.Result m = new BradleyTerryLoss.Result(loss, null, null, acc / n, marginSum / n, min, sum / count, max);
        return new Result(loss, d, m);
    }
}
