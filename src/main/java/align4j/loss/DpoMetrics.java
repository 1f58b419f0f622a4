package align4j.loss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics TRL's DPOTrainer logs for one batch, as batch means: rewards are β·(ℓ − ℓ^ref), an
 * accuracy counts β·s_w > β·s_l strictly, log-probs are the policy's summed completion log-probs.
 * {@code logits/chosen} and {@code logits/rejected} come from the model's forward pass, not from here.
 *
 * @param nllLoss the RPO term's NLL (TRL {@code nll_loss}), NaN when rpo_alpha is off
 */
public record DpoMetrics(double loss, double rewardsChosen, double rewardsRejected, double rewardsAccuracies,
                         double rewardsMargins, double logpsChosen, double logpsRejected, double nllLoss) {

    static DpoMetrics of(double loss, double[] rw, double[] rl, double[] logpChosen, double[] logpRejected,
                         double nll) {
        int n = rw.length;
        double sc = 0, sr = 0, acc = 0, margin = 0, lc = 0, lr = 0;
        for (int i = 0; i < n; i++) {
            sc += rw[i];
            sr += rl[i];
            if (rw[i] > rl[i]) acc += 1;
            margin += rw[i] - rl[i];
            lc += logpChosen[i];
            lr += logpRejected[i];
        }
        return new DpoMetrics(loss, sc / n, sr / n, acc / n, margin / n, lc / n, lr / n, nll);
    }

    /**
     * TRL's names in TRL's order, each prefixed (use "" for training, "eval_" for evaluation);
     * {@code nll_loss} only when the RPO term is on.
     */
    public Map<String, Double> toMap(String prefix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "loss", loss);
        m.put(prefix + "rewards/chosen", rewardsChosen);
        m.put(prefix + "rewards/rejected", rewardsRejected);
        m.put(prefix + "rewards/accuracies", rewardsAccuracies);
        m.put(prefix + "rewards/margins", rewardsMargins);
        m.put(prefix + "logps/chosen", logpsChosen);
        m.put(prefix + "logps/rejected", logpsRejected);
        if (!Double.isNaN(nllLoss)) m.put(prefix + "nll_loss", nllLoss);
        return m;
    }
}
