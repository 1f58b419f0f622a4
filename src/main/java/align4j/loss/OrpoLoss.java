package align4j.loss;

import align4j.InputException;
import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;

import java.util.Map;

/**
 * ORPO (Hong et al. 2024, "ORPO: Monolithic Preference Optimization without Reference Model", arXiv 2403.07691,
 * eqs. 4–7) as TRL's ORPOTrainer computes it ({@code trl/experimental/orpo/orpo_trainer.py}: {@code odds_ratio_loss},
 * {@code concatenated_forward}, {@code get_batch_loss_metrics}).
 *
 * <p>Per pair, from the length-averaged log-probs a = ℓ/n (TRL's {@code average_log_prob=True}):
 * log odds(y) = a − log(1 − e^a), LO = log odds(y_w) − log odds(y_l), and
 * <pre>
 *   L = NLL − λ · mean_i log σ(LO_i)
 * </pre>
 * with λ = {@code beta} (default 0.1) and NLL the token mean of −log p over the chosen sequences of the batch, which
 * TRL takes over the prompt and the chosen completion alike ("orpo chosen nll loss is computed over the full prompt
 * and response"): NLL = −Σ_i (ℓ_p,i + ℓ_w,i) / Σ_i (m_i + n_w,i). log(1 − e^a) is evaluated as TRL's
 * {@code log1mexp}; a = 0 (probability 1) makes the odds infinite, as there.
 *
 * <p>Metrics, TRL's names: rewards/chosen, rewards/rejected = β·a (means), rewards/accuracies, rewards/margins,
 * logps/chosen, logps/rejected = a (means), nll_loss, log_odds_ratio = mean log σ(LO) and log_odds_chosen = mean LO
 * (TRL's names for these two, kept although the second is the log odds ratio).
 *
 * @param beta λ, the weight of the odds-ratio term (TRL {@code beta})
 */
public record OrpoLoss(double beta) implements PolicyPairLoss {
    public static final double DEFAULT_BETA = 0.1;

    public OrpoLoss {
        if (!(beta >= 0) || Double.isInfinite(beta)) throw new InputException("beta must be ≥ 0, got " + beta);
    }

    @Override
    public boolean nllOverPrompt() {
        return true;
    }

    @Override
    public Result compute(Inputs in) {
        int n = in.size();
        double nll = in.nll();
        long tokens = in.nllTokens();
        double[] aw = new double[n], al = new double[n], losses = new double[n], gw = new double[n], gl = new double[n],
                gp = new double[n], rw = new double[n], rl = new double[n];
        double ratioSum = 0, logOddsSum = 0;
        for (int i = 0; i < n; i++) {
            int nw = Math.max(in.chosenLengths()[i], 1), nl = Math.max(in.rejectedLengths()[i], 1);
            aw[i] = in.policyChosen()[i] / nw;
            al[i] = in.policyRejected()[i] / nl;
            double lo = (aw[i] - al[i]) - (log1mexp(aw[i]) - log1mexp(al[i]));
            double ratio = logSigmoid(lo);
            ratioSum += ratio;
            logOddsSum += lo;
            losses[i] = nll - beta * ratio;
            // ∂(−λ log σ(LO))/∂LO = −λσ(−LO); ∂LO/∂a_w = 1/(1 − e^{a_w}) = −1/expm1(a_w); ∂LO/∂a_l = 1/expm1(a_l)
            double g = -beta * sigmoid(-lo) / n;
            gw[i] = g * (-1 / Math.expm1(aw[i])) / nw - 1.0 / tokens;
            gl[i] = g * (1 / Math.expm1(al[i])) / nl;
            gp[i] = in.promptTokens() == null || in.promptTokens()[i] == 0 ? 0 : -1.0 / tokens;
            rw[i] = beta * aw[i];
            rl[i] = beta * al[i];
        }
        double loss = nll - beta * ratioSum / n;
        Map<String, Double> m = DpoMetrics.of(loss, rw, rl, aw, al, nll).toMap("");
        m.put("log_odds_ratio", ratioSum / n);
        m.put("log_odds_chosen", logOddsSum / n);
        return new Result(loss, losses, gw, gl, gp, m);
    }

    /** log(1 − e^x) for x ≤ 0, accurate on both sides of −ln 2 (Mächler 2012, as TRL's {@code log1mexp}). */
    static double log1mexp(double x) {
        return x > -Math.log(2) ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
    }
}
