package align4j.loss;

import align4j.InputException;

import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reward-model loss of TRL's RewardTrainer: the Bradley–Terry negative log-likelihood
 * (Bradley &amp; Terry 1952; InstructGPT, Ouyang et al. 2022, arXiv 2203.02155, eq. 1) with an optional
 * per-pair margin (Llama 2, Touvron et al. 2023, arXiv 2307.09288, eq. 2), plus reward centering
 * (Eisenstein et al. 2023, arXiv 2312.09244):
 * <pre>L = mean_i[−log σ(r_w,i − r_l,i − m_i)] + c·mean_i[(r_w,i + r_l,i)²]</pre>
 *
 * @param centerRewardsCoefficient c (TRL {@code center_rewards_coefficient}; 0 disables it, 0.01 recommended)
 */
public record BradleyTerryLoss(double centerRewardsCoefficient) {
    public BradleyTerryLoss {
        if (!(centerRewardsCoefficient >= 0) || Double.isInfinite(centerRewardsCoefficient)) {
            throw new InputException("center_rewards_coefficient must be ≥ 0, got " + centerRewardsCoefficient);
        }
    }

    /**
     * Loss, gradients wrt each reward, and TRL's metrics: {@code accuracy} (share of r_w > r_l),
     * {@code margin} (mean r_w − r_l, without the margin column), and min/mean/max over all 2B rewards.
     */
    public record Result(double loss, double[] dChosen, double[] dRejected, double accuracy, double margin,
                         double minReward, double meanReward, double maxReward) {
        /** TRL's names, prefixed ("" or "eval_"). */
        public Map<String, Double> toMap(String prefix) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(prefix + "loss", loss);
            m.put(prefix + "accuracy", accuracy);
            m.put(prefix + "margin", margin);
            m.put(prefix + "min_reward", minReward);
            m.put(prefix + "mean_reward", meanReward);
            m.put(prefix + "max_reward", maxReward);
            return m;
        }
    }

    /** @param margin per-pair margins m_i (TRL's optional {@code margin} column), or null for none */
    public Result compute(double[] rChosen, double[] rRejected, double[] margin) {
        int n = rChosen.length;
        if (n == 0) throw new IllegalArgumentException("empty batch");
        if (rRejected.length != n || (margin != null && margin.length != n)) {
            throw new IllegalArgumentException("chosen, rejected and margin arrays must have the same length " + n);
        }
        double[] dw = new double[n], dl = new double[n];
        double nll = 0, center = 0, acc = 0, marginSum = 0, sum = 0;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double d = rChosen[i] - rRejected[i] - (margin == null ? 0.0 : margin[i]);
            nll -= logSigmoid(d);
            double g = -sigmoid(-d) / n;
            double s = rChosen[i] + rRejected[i];
            center += s * s;
            double gc = centerRewardsCoefficient * 2 * s / n;
            dw[i] = g + gc;
            dl[i] = -g + gc;
            if (rChosen[i] > rRejected[i]) acc += 1;
            marginSum += rChosen[i] - rRejected[i];
            sum += s;
            min = Math.min(min, Math.min(rChosen[i], rRejected[i]));
            max = Math.max(max, Math.max(rChosen[i], rRejected[i]));
        }
        double loss = nll / n + centerRewardsCoefficient * center / n;
        return new Result(loss, dw, dl, acc / n, marginSum / n, min, sum / (2.0 * n), max);
    }
}
