package align4j.loss;

import align4j.InputException;
import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPO (Xu et al. 2024, "Contrastive Preference Optimization", arXiv 2401.08417, eq. 3) and SimPO (Meng et al. 2024,
 * "SimPO: Simple Preference Optimization with a Reference-Free Reward", arXiv 2405.14734, eq. 6) as TRL's CPOTrainer
 * computes them ({@code trl/experimental/cpo/cpo_trainer.py}: {@code cpo_loss}, {@code get_batch_loss_metrics}).
 *
 * <p>Per pair, x = ℓ (summed log-probs) for sigmoid and hinge, x = ℓ/n (length-averaged, TRL's
 * {@code average_log_prob}) for ipo and simpo; Δ = x_w − x_l, ε the label smoothing:
 * <ul>
 * <li>{@code sigmoid} (CPO): L = −(1−ε) log σ(βΔ) − ε log σ(−βΔ);
 * <li>{@code hinge}: L = max(0, 1 − βΔ);
 * <li>{@code ipo}: L = (Δ − 1/(2β))²;
 * <li>{@code simpo}: L = −(1−ε) log σ(βΔ − γ) − ε log σ(−(βΔ − γ)), γ = {@code simpo_gamma} (TRL subtracts γ/β from
 *     Δ before multiplying by β).
 * </ul>
 * The batch loss is mean_i L_i + α·NLL, α = {@code cpo_alpha} (default 1; 0 for pure SimPO), NLL the token mean of
 * −log p over the batch's chosen completion tokens (TRL's CPO masks the prompt): NLL = −Σ_i ℓ_w,i / Σ_i n_w,i.
 * Metrics, TRL's names: rewards/* = β·x, logps/* = x, nll_loss (logged as 0 when α = 0, as TRL does, which then
 * skips computing it). TRL's AlphaPO option ({@code alpha} ≠ 0) is not here.
 *
 * @param lossType       TRL {@code loss_type}
 * @param beta           β (τ of IPO; default 0.1)
 * @param labelSmoothing ε for sigmoid and simpo (default 0)
 * @param simpoGamma     γ, SimPO's target reward margin (default 0.5)
 * @param cpoAlpha       α, the NLL's weight (default 1)
 */
public record CpoLoss(Type lossType, double beta, double labelSmoothing, double simpoGamma, double cpoAlpha)
        implements PolicyPairLoss {

    /** TRL CPOConfig's {@code loss_type} values. */
    public enum Type {
        SIGMOID, HINGE, IPO, SIMPO;

        /** TRL's spelling. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the loss reads length-averaged log-probs (TRL: {@code loss_type in ["ipo", "simpo"]}). */
        public boolean averagesLogps() {
            return this == IPO || this == SIMPO;
        }

        /** Parses TRL's spelling. */
        public static Type parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            List<String> names = new ArrayList<>();
            for (Type t : values()) {
                if (t.toString().equals(n)) return t;
                names.add(t.toString());
            }
            throw new InputException("unknown loss_type '" + name + "' for cpo; expected one of " + names);
        }
    }

    public CpoLoss {
        if (lossType == null) throw new InputException("loss_type is required");
        if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("beta must be > 0, got " + beta);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 0.5)) {
            throw new InputException("label_smoothing must be in [0, 0.5], got " + labelSmoothing);
        }
        if (!Double.isFinite(simpoGamma)) throw new InputException("simpo_gamma must be finite, got " + simpoGamma);
        if (!(cpoAlpha >= 0) || Double.isInfinite(cpoAlpha)) throw new InputException("cpo_alpha must be ≥ 0, got " + cpoAlpha);
    }

    @Override
    public boolean nllOverPrompt() {
        return false;
    }

    @Override
    public Result compute(Inputs in) {
        int n = in.size();
        double eps = labelSmoothing, b = beta;
        double nll = cpoAlpha == 0 ? 0 : in.nll();
        long tokens = cpoAlpha == 0 ? 1 : in.nllTokens();
        double[] xw = new double[n], xl = new double[n], losses = new double[n], gw = new double[n], gl = new double[n],
                rw = new double[n], rl = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int nw = lossType.averagesLogps() ? Math.max(in.chosenLengths()[i], 1) : 1;
            int nl = lossType.averagesLogps() ? Math.max(in.rejectedLengths()[i], 1) : 1;
            xw[i] = in.policyChosen()[i] / nw;
            xl[i] = in.policyRejected()[i] / nl;
            double d = xw[i] - xl[i];
            double loss, dd; // L and ∂L/∂Δ
            switch (lossType) {
                case SIGMOID, SIMPO -> {
                    double z = b * d - (lossType == Type.SIMPO ? simpoGamma : 0);
                    loss = -(1 - eps) * logSigmoid(z) - eps * logSigmoid(-z);
                    dd = b * (-(1 - eps) * sigmoid(-z) + eps * sigmoid(z));
                }
                case HINGE -> {
                    loss = Math.max(0, 1 - b * d);
                    dd = 1 - b * d > 0 ? -b : 0;
                }
                case IPO -> {
                    double h = d - 1 / (2 * b);
                    loss = h * h;
                    dd = 2 * h;
                }
                default -> throw new IllegalStateException(lossType.toString());
            }
            sum += loss;
            losses[i] = loss + cpoAlpha * nll;
            gw[i] = dd / n / nw - (cpoAlpha == 0 ? 0 : cpoAlpha / tokens);
            gl[i] = -dd / n / nl;
            rw[i] = b * xw[i];
            rl[i] = b * xl[i];
        }
        double loss = sum / n + cpoAlpha * nll;
        Map<String, Double> m = DpoMetrics.of(loss, rw, rl, xw, xl, nll).toMap("");
        return new Result(loss, losses, gw, gl, new double[n], m);
    }
}
