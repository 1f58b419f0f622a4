package align4j.loss;

import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;
import static align4j.loss.Logistic.softplus;

/**
 * The DPO family as TRL defines it ({@code trl/trainer/dpo_trainer.py}: {@code dpo_loss} at v0.27,
 * {@code _compute_loss} at HEAD): a pure function from the summed completion log-probs of a batch of
 * pairs to the batch loss, its gradient with respect to the policy's log-probs, and TRL's metrics.
 *
 * <p>Notation (per pair): ℓ_w, ℓ_l the policy's summed log-probs of the chosen and rejected
 * completion, ℓ^ref likewise for the reference, s = ℓ − ℓ^ref (ℓ^ref = 0 with
 * {@code reference_free}, i.e. a uniform reference), Δ = s_w − s_l, z = βΔ, ε the label smoothing,
 * n_w, n_l the completion lengths in tokens (clamped to ≥ 1 as TRL does), ŝ = s/n.
 * The batch loss is the mean of the per-pair losses; TRL's choices where versions differ:
 * <ul>
 * <li>{@code sigmoid} keeps v0.27's label smoothing (cDPO); HEAD dropped it.
 * <li>{@code ipo} and {@code sigmoid_norm} average the log-ratios over the completion length as
 *     HEAD does; the loss equals v0.27's (which averaged the log-probs themselves), but the
 *     metrics here always use summed log-probs (HEAD), where v0.27 reported averaged ones for IPO.
 * <li>{@code bco_pair} uses δ = 0 (HEAD). v0.27 subtracted a running mean of the rewards, which
 *     would make the loss depend on the batches seen before, and so on the data order of a resume.
 * <li>{@code exo_pair} with ε = 0 uses ε = 1e-3, as v0.27 does (HEAD rejects ε = 0).
 * <li>{@code reference_free} sets ℓ^ref = 0 for every loss type and for the rewards. v0.27 dropped
 *     the reference only from the Δ-based losses and still reported rewards against it.
 * <li>{@code rpo_alpha} > 0 adds α·NLL (v0.27 {@code rpo_alpha}, HEAD {@code "sft"} loss), where NLL is
 *     the token mean over all chosen completion tokens of the batch: NLL = −Σ_i ℓ_w,i / Σ_i n_w,i.
 * </ul>
 *
 * @param type           the loss type
 * @param beta           β (τ for IPO)
 * @param labelSmoothing ε, for sigmoid (cDPO), robust, exo_pair, aot, aot_unpaired
 * @param referenceFree  use a uniform reference (ℓ^ref = 0)
 * @param rpoAlpha       α of the NLL term on the chosen completions; 0 disables it
 * @param discopopTau    τ of DiscoPOP (TRL {@code discopop_tau}, default 0.05)
 */
public record DpoLoss(LossType type, double beta, double labelSmoothing, boolean referenceFree, double rpoAlpha,
                      double discopopTau) {
    public static final double DEFAULT_DISCOPOP_TAU = 0.05;
    /** The ε v0.27 substitutes when {@code exo_pair} runs with label_smoothing = 0. */
    public static final double EXO_DEFAULT_EPSILON = 1e-3;

    public DpoLoss {
        if (type == null) throw new IllegalArgumentException("loss_type is required");
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 0.5)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 0.5], got " + labelSmoothing);
        }
        if (type == LossType.ROBUST && labelSmoothing >= 0.5) {
            throw new IllegalArgumentException("loss_type robust needs label_smoothing < 0.5 (it divides by 1 − 2ε)");
        }
        if (!(rpoAlpha >= 0) || Double.isInfinite(rpoAlpha)) {
            throw new IllegalArgumentException("rpo_alpha must be ≥ 0, got " + rpoAlpha);
        }
        if (!(discopopTau > 0)) throw new IllegalArgumentException("discopop_tau must be > 0, got " + discopopTau);
    }

    /** β with TRL's defaults for everything else. */
    public static DpoLoss of(LossType type, double beta) {
        return new DpoLoss(type, beta, 0.0, false, 0.0, DEFAULT_DISCOPOP_TAU);
    }

    /** Whether {@link Inputs} must carry completion lengths. */
    public boolean needsLengths() {
        return type.needsLengths() || rpoAlpha > 0;
    }

    /**
     * Summed completion log-probs of one batch of B pairs. {@code refChosen}/{@code refRejected} may
     * be null with {@code reference_free}; the lengths (completion tokens) may be null unless
     * {@link #needsLengths()}.
     */
    public record Inputs(double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected,
                         int[] chosenLengths, int[] rejectedLengths) {
        public Inputs {
            int b = policyChosen.length;
            if (b == 0) throw new IllegalArgumentException("empty batch");
            check("policy rejected log-probs", policyRejected, b);
            if (refChosen != null) check("reference chosen log-probs", refChosen, b);
            if (refRejected != null) check("reference rejected log-probs", refRejected, b);
            if (chosenLengths != null && chosenLengths.length != b) throw sizeError("chosen lengths", chosenLengths.length, b);
            if (rejectedLengths != null && rejectedLengths.length != b) throw sizeError("rejected lengths", rejectedLengths.length, b);
        }

        public int size() {
            return policyChosen.length;
        }

        private static void check(String what, double[] a, int b) {
            if (a.length != b) throw sizeError(what, a.length, b);
        }

        private static IllegalArgumentException sizeError(String what, int got, int b) {
            return new IllegalArgumentException(what + ": " + got + " values for a batch of " + b + " pairs");
        }
    }

    /**
     * The loss of one batch.
     *
     * @param loss      the batch loss (mean of {@code losses})
     * @param losses    per-pair losses, α·NLL included; for aot/aot_unpaired indexed by sorted rank, as TRL
     * @param dChosen   ∂loss/∂ℓ_w,i of the batch loss; as ℓ is a sum over tokens, it is also the
     *                  gradient of every completion token's log-prob of that sequence
     * @param dRejected ∂loss/∂ℓ_l,i
     * @param chosenRewards   β·s_w,i (TRL's implicit rewards, no gradient)
     * @param rejectedRewards β·s_l,i
     * @param metrics   TRL's logged metrics for this batch
     */
    public record Result(double loss, double[] losses, double[] dChosen, double[] dRejected,
                         double[] chosenRewards, double[] rejectedRewards, DpoMetrics metrics) {}

    /** Computes loss, gradients, rewards and metrics for one batch. */
    public Result compute(Inputs in) {
        int n = in.size();
        if (!referenceFree && (in.refChosen() == null || in.refRejected() == null)) {
            throw new IllegalArgumentException("reference log-probs are required unless reference_free");
        }
        if (needsLengths() && (in.chosenLengths() == null || (type.needsLengths() && in.rejectedLengths() == null))) {
            throw new IllegalArgumentException("loss_type " + type + (rpoAlpha > 0 ? " with rpo_alpha" : "")
                    + " needs the completion lengths");
        }
        double[] sw = new double[n], sl = new double[n];
        for (int i = 0; i < n; i++) {
            sw[i] = in.policyChosen()[i] - (referenceFree ? 0.0 : in.refChosen()[i]);
            sl[i] = in.policyRejected()[i] - (referenceFree ? 0.0 : in.refRejected()[i]);
        }
        double[] losses = new double[n], gw = new double[n], gl = new double[n];
        switch (type) {
            case AOT -> aot(in, losses, gw, gl);
            case AOT_UNPAIRED -> aotUnpaired(sw, sl, losses, gw, gl);
            default -> {
                double[] out = new double[3];
                for (int i = 0; i < n; i++) {
                    pair(sw[i], sl[i], in.chosenLengths() == null ? 1 : in.chosenLengths()[i],
                            in.rejectedLengths() == null ? 1 : in.rejectedLengths()[i], out);
                    losses[i] = out[0];
                    gw[i] = out[1];
                    gl[i] = out[2];
                }
            }
        }

        double nll = Double.NaN, dNll = 0;
        if (rpoAlpha > 0) {
            long tokens = 0;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                tokens += in.chosenLengths()[i];
                sum += in.policyChosen()[i];
            }
            if (tokens <= 0) throw new IllegalArgumentException("rpo_alpha needs at least one chosen completion token");
            // RPO (Pang et al. 2024, arXiv 2404.19733): + α·NLL, NLL = −Σℓ_w / Σn_w (TRL's token-mean cross-entropy)
            nll = -sum / tokens;
            dNll = -rpoAlpha / tokens;
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (rpoAlpha > 0) losses[i] += rpoAlpha * nll;
            total += losses[i];
            gw[i] = gw[i] / n + dNll;
            gl[i] = gl[i] / n;
        }
        double loss = total / n;

        double[] rw = new double[n], rl = new double[n];
        for (int i = 0; i < n; i++) {
            rw[i] = beta * sw[i];
            rl[i] = beta * sl[i];
        }
        DpoMetrics metrics = DpoMetrics.of(loss, rw, rl, in.policyChosen(), in.policyRejected(), nll);
        return new Result(loss, losses, gw, gl, rw, rl, metrics);
    }

    /** One pair's loss and its derivatives wrt s_w and s_l (= wrt ℓ_w and ℓ_l): out = {L, ∂L/∂s_w, ∂L/∂s_l}. */
    private void pair(double sw, double sl, int nw, int nl, double[] out) {
        double b = beta, eps = labelSmoothing;
        double z = b * (sw - sl);
        double loss, gw, gl;
        switch (type) {
            case SIGMOID -> {
                // DPO (Rafailov et al. 2023, arXiv 2305.18290, eq. 7); cDPO label smoothing (Mitchell 2023, ericmitchell.ai/cdpo.pdf):
                // L = −(1−ε) log σ(z) − ε log σ(−z)
                loss = -(1 - eps) * logSigmoid(z) - eps * logSigmoid(-z);
                double g = -(1 - eps) * sigmoid(-z) + eps * sigmoid(z);
                gw = b * g;
                gl = -b * g;
            }
            case HINGE -> {
                // SLiC-HF (Zhao et al. 2023, arXiv 2305.10425) / RSO (Liu et al. 2023, arXiv 2309.06657): L = max(0, 1 − z)
                loss = Math.max(0.0, 1 - z);
                double g = 1 - z > 0 ? -1.0 : 0.0;
                gw = b * g;
                gl = -b * g;
            }
            case IPO -> {
                // IPO (Azar et al. 2023, arXiv 2310.12036, eq. 17), length-averaged as TRL: L = (ŝ_w − ŝ_l − 1/(2β))²
                double cw = Math.max(nw, 1), cl = Math.max(nl, 1);
                double h = sw / cw - sl / cl - 1 / (2 * b);
                loss = h * h;
                gw = 2 * h / cw;
                gl = -2 * h / cl;
            }
            case ROBUST -> {
                // rDPO (Chowdhury et al. 2024, arXiv 2403.00409, eq. 3): L = [−(1−ε) log σ(z) + ε log σ(−z)] / (1 − 2ε)
                loss = (-(1 - eps) * logSigmoid(z) + eps * logSigmoid(-z)) / (1 - 2 * eps);
                double g = (-(1 - eps) * sigmoid(-z) - eps * sigmoid(z)) / (1 - 2 * eps);
                gw = b * g;
                gl = -b * g;
            }
            case EXO_PAIR -> {
                // EXO (Ji et al. 2024, arXiv 2402.00856, eq. 16): L = q_w(log q_w − log(1−ε)) + q_l(log q_l − log ε),
                // q_w = σ(z), q_l = σ(−z); dL/dz = q_w q_l (z − log(1−ε) + log ε)
                double e = eps == 0 ? EXO_DEFAULT_EPSILON : eps;
                double qw = sigmoid(z), ql = sigmoid(-z);
                loss = qw * (logSigmoid(z) - Math.log1p(-e)) + ql * (logSigmoid(-z) - Math.log(e));
                double g = qw * ql * (z - Math.log1p(-e) + Math.log(e));
                gw = b * g;
                gl = -b * g;
            }
            case NCA_PAIR -> {
                // NCA (Chen et al. 2024, arXiv 2402.05369): L = −log σ(βs_w) − ½ log σ(−βs_w) − ½ log σ(−βs_l)
                double rw = b * sw, rl = b * sl;
                loss = -logSigmoid(rw) - 0.5 * logSigmoid(-rw) - 0.5 * logSigmoid(-rl);
                gw = b * (-sigmoid(-rw) + 0.5 * sigmoid(rw));
                gl = b * 0.5 * sigmoid(rl);
            }
            case BCO_PAIR -> {
                // BCO (Jung et al. 2024, arXiv 2404.04656) with δ = 0 as TRL HEAD: L = −log σ(βs_w) − log σ(−βs_l)
                double rw = b * sw, rl = b * sl;
                loss = -logSigmoid(rw) - logSigmoid(-rl);
                gw = -b * sigmoid(-rw);
                gl = b * sigmoid(rl);
            }
            case SPPO_HARD -> {
                // SPPO (Wu et al. 2024, arXiv 2405.00675, eq. 4.7) with hard P ∈ {0,1}: L = (s_w − 1/(2β))² + (s_l + 1/(2β))²
                double a = sw - 0.5 / b, c = sl + 0.5 / b;
                loss = a * a + c * c;
                gw = 2 * a;
                gl = 2 * c;
            }
            case APO_ZERO -> {
                // APO-zero (D'Oosterlinck et al. 2024, arXiv 2408.06266, eq. 7): L = 1 − σ(βs_w) + σ(βs_l)
                double rw = b * sw, rl = b * sl;
                double pw = sigmoid(rw), pl = sigmoid(rl);
                loss = 1 - pw + pl;
                gw = -b * pw * sigmoid(-rw);
                gl = b * pl * sigmoid(-rl);
            }
            case APO_DOWN -> {
                // APO-down (arXiv 2408.06266, eq. 8): L = σ(βs_w) + 1 − σ(z)
                double rw = b * sw;
                double pw = sigmoid(rw), pz = sigmoid(z);
                loss = pw + 1 - pz;
                double dz = pz * sigmoid(-z);
                gw = b * (pw * sigmoid(-rw) - dz);
                gl = b * dz;
            }
            case DISCOPOP -> {
                // DiscoPOP (Chan et al. 2024, arXiv 2406.08414, eq. 5): m = σ(z/τ), L = (1−m)(−log σ(z)) + m·e^{−z};
                // the products m·e^{−z} are formed in log space so that neither factor overflows alone.
                double tau = discopopTau, t = z / tau;
                double m = sigmoid(t), oneMinusM = sigmoid(-t);
                double mExp = Math.exp(logSigmoid(t) - z);
                loss = oneMinusM * softplus(-z) + mExp;
                double dmExp = Math.exp(logSigmoid(t) + logSigmoid(-t) - z) / tau; // m'(z)·e^{−z}
                double g = dmExp - m * oneMinusM / tau * softplus(-z) - oneMinusM * sigmoid(-z) - mExp;
                gw = b * g;
                gl = -b * g;
            }
            case SIGMOID_NORM -> {
                // Length-normalised DPO (SimPO-style, Meng et al. 2024, arXiv 2405.14734; TRL HEAD): L = −log σ(β(ŝ_w − ŝ_l))
                double cw = Math.max(nw, 1), cl = Math.max(nl, 1);
                double zn = b * (sw / cw - sl / cl);
                loss = -logSigmoid(zn);
                double g = -sigmoid(-zn);
                gw = b * g / cw;
                gl = -b * g / cl;
            }
            default -> throw new IllegalStateException("batch-coupled loss " + type);
        }
        out[0] = loss;
        out[1] = gw;
        out[2] = gl;
    }

    /**
     * AOT (Melnyk et al. 2024, arXiv 2406.05882), paired form: sort the policy log-ratios ℓ_w − ℓ_l and the
     * reference log-ratios separately, δ_k = sorted_k(ℓ_w − ℓ_l) − sorted_k(ℓ^ref_w − ℓ^ref_l),
     * L_k = −(1−ε) log σ(βδ_k) − ε log σ(−βδ_k). Ties are ordered by index (stable sort).
     */
    private void aot(Inputs in, double[] losses, double[] gw, double[] gl) {
        int n = in.size();
        double[] a = new double[n], c = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.policyChosen()[i] - in.policyRejected()[i];
            c[i] = referenceFree ? 0.0 : in.refChosen()[i] - in.refRejected()[i];
        }
        int[] pa = sortedOrder(a), pc = sortedOrder(c);
        for (int k = 0; k < n; k++) {
            double z = beta * (a[pa[k]] - c[pc[k]]);
            losses[k] = smoothedSigmoid(z);
            double g = beta * smoothedSigmoidGrad(z);
            gw[pa[k]] += g;
            gl[pa[k]] -= g;
        }
    }

    /** AOT unpaired (arXiv 2406.05882): δ_k = sorted_k(s_w) − sorted_k(s_l), then the smoothed sigmoid of βδ_k. */
    private void aotUnpaired(double[] sw, double[] sl, double[] losses, double[] gw, double[] gl) {
        int[] pw = sortedOrder(sw), pl = sortedOrder(sl);
        for (int k = 0; k < sw.length; k++) {
            double z = beta * (sw[pw[k]] - sl[pl[k]]);
            losses[k] = smoothedSigmoid(z);
            double g = beta * smoothedSigmoidGrad(z);
            gw[pw[k]] += g;
            gl[pl[k]] -= g;
        }
    }

    private double smoothedSigmoid(double z) {
        return -(1 - labelSmoothing) * logSigmoid(z) - labelSmoothing * logSigmoid(-z);
    }

    private double smoothedSigmoidGrad(double z) {
        return -(1 - labelSmoothing) * sigmoid(-z) + labelSmoothing * sigmoid(z);
    }

    /** Indices that sort v ascending; stable (insertion sort: batches are small). */
    static int[] sortedOrder(double[] v) {
        int[] idx = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            int j = i;
            while (j > 0 && v[idx[j - 1]] > v[i]) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
        }
        return idx;
    }
}
