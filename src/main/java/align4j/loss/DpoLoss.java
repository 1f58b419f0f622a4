package align4j.loss;

import align4j.InputException;
import static align4j.loss.Logistic.logSigmoid;
import static align4j.loss.Logistic.sigmoid;
import static align4j.loss.Logistic.softplus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 * <li>Several loss types with weights (HEAD {@code loss_type} as a list with {@code loss_weights}, MPO:
 *     Wang et al. 2024, arXiv 2411.10442): L = Σ_k w_k·mean_i L_k,i; {@code rpo_alpha} = α is the term
 *     ({@code sft}, α) added to the list.
 * <li>{@code f_divergence_type} ({@link FDivergence}) replaces s by its score g(s) in every loss type that
 *     HEAD feeds scores to; aot, aot_unpaired, apo_zero and apo_down's chosen term keep the log-ratios, as
 *     there. Rewards and accuracies always use the log-ratios.
 * <li>{@code use_weighting} (WPO: Zhou et al. 2024, arXiv 2406.11827, eq. 2) multiplies each pair's loss in
 *     every term by the weight {@link Inputs#pairWeights()}, computed by the caller from the policy's
 *     distribution and held constant (no gradient); HEAD dropped v0.27's clamp of the weight at 1, and so
 *     does this. Not with aot or aot_unpaired, whose losses are indexed by rank (TRL refuses it too).
 * </ul>
 *
 * @param terms          the loss types and their weights
 * @param beta           β (τ for IPO)
 * @param labelSmoothing ε, for sigmoid (cDPO), robust, exo_pair, aot, aot_unpaired
 * @param referenceFree  use a uniform reference (ℓ^ref = 0)
 * @param discopopTau    τ of DiscoPOP (TRL {@code discopop_tau}, default 0.05)
 * @param fDivergence    the divergence whose scores replace the log-ratios
 * @param fAlpha         α of {@code alpha_divergence} (TRL {@code f_alpha_divergence_coef})
 * @param useWeighting   whether {@link Inputs#pairWeights()} scale the pairs' losses (WPO)
 */
public record DpoLoss(List<Term> terms, double beta, double labelSmoothing, boolean referenceFree, double discopopTau,
                      FDivergence fDivergence, double fAlpha, boolean useWeighting) {
    public static final double DEFAULT_DISCOPOP_TAU = 0.05;
    /** The ε v0.27 substitutes when {@code exo_pair} runs with label_smoothing = 0. */
    public static final double EXO_DEFAULT_EPSILON = 1e-3;

    /** One loss type and its weight in the sum (TRL {@code loss_type[k]}, {@code loss_weights[k]}). */
    public record Term(LossType type, double weight) {
        public Term {
            if (type == null) throw new InputException("loss_type is required");
            if (!Double.isFinite(weight)) throw new InputException("loss weight of " + type + " must be finite, got " + weight);
        }
    }

    public DpoLoss {
        if (terms == null || terms.isEmpty()) throw new InputException("loss_type is required");
        terms = List.copyOf(terms);
        if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("beta must be > 0, got " + beta);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 0.5)) {
            throw new InputException("label_smoothing must be in [0, 0.5], got " + labelSmoothing);
        }
        for (Term t : terms) {
            if (t.type() == LossType.ROBUST && labelSmoothing >= 0.5) {
                throw new InputException("loss_type robust needs label_smoothing < 0.5 (it divides by 1 − 2ε)");
            }
            if (t.type() == LossType.SFT && t.weight() < 0) {
                throw new InputException("the weight of sft (rpo_alpha) must be ≥ 0, got " + t.weight());
            }
            if (useWeighting && t.type().sortsBatch()) {
                throw new InputException("use_weighting does not apply to loss_type " + t.type()
                        + " (its losses are indexed by rank, not by pair; TRL refuses it too)");
            }
        }
        if (!(discopopTau > 0)) throw new InputException("discopop_tau must be > 0, got " + discopopTau);
        if (fDivergence == null) throw new InputException("f_divergence_type is required");
        if (!Double.isFinite(fAlpha)) throw new InputException("f_alpha_divergence_coef must be finite, got " + fAlpha);
    }

    /** One loss type, with an RPO term of weight rpoAlpha when it is > 0, reverse KL, no weighting. */
    public DpoLoss(LossType type, double beta, double labelSmoothing, boolean referenceFree, double rpoAlpha,
                   double discopopTau) {
        this(terms(List.of(type), null, rpoAlpha), beta, labelSmoothing, referenceFree, discopopTau,
                FDivergence.REVERSE_KL, FDivergence.DEFAULT_ALPHA, false);
    }

    /** β with TRL's defaults for everything else. */
    public static DpoLoss of(LossType type, double beta) {
        return new DpoLoss(type, beta, 0.0, false, 0.0, DEFAULT_DISCOPOP_TAU);
    }

    /**
     * The terms of TRL's {@code loss_type} list with {@code loss_weights} (null: all 1, as TRL), plus
     * ({@code sft}, rpoAlpha) when rpoAlpha > 0 (v0.27's {@code rpo_alpha}).
     */
    public static List<Term> terms(List<LossType> types, double[] weights, double rpoAlpha) {
        if (types.isEmpty()) throw new InputException("loss_type is required");
        if (weights != null && weights.length != types.size()) {
            throw new InputException("loss_weights has " + weights.length + " values for " + types.size()
                    + " loss types " + types);
        }
        if (!(rpoAlpha >= 0) || Double.isInfinite(rpoAlpha)) {
            throw new InputException("rpo_alpha must be ≥ 0, got " + rpoAlpha);
        }
        List<Term> out = new ArrayList<>();
        for (int k = 0; k < types.size(); k++) out.add(new Term(types.get(k), weights == null ? 1.0 : weights[k]));
        if (rpoAlpha > 0) out.add(new Term(LossType.SFT, rpoAlpha));
        return out;
    }

    /** Whether {@link Inputs} must carry completion lengths. */
    public boolean needsLengths() {
        for (Term t : terms) {
            if (t.type().needsLengths()) return true;
        }
        return false;
    }

    /** Whether an {@code sft} term (or rpo_alpha) is on, so that TRL's {@code nll_loss} is logged. */
    public boolean hasNll() {
        for (Term t : terms) {
            if (t.type() == LossType.SFT) return true;
        }
        return false;
    }

    /**
     * Summed completion log-probs of one batch of B pairs. {@code refChosen}/{@code refRejected} may
     * be null with {@code reference_free}; the lengths (completion tokens) may be null unless
     * {@link #needsLengths()}.
     *
     * @param chosenPlain the plain Σ_t log p over each chosen completion, when {@code policyChosen} holds another
     *                    sum of them (LD-DPO's down-weighted tail): the sft term's NLL is taken from it. Null: the same
     *                    as {@code policyChosen}.
     * @param pairWeights WPO's per-pair weights (constants), required with {@code use_weighting}, else ignored
     */
    public record Inputs(double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected,
                         int[] chosenLengths, int[] rejectedLengths, double[] chosenPlain, double[] pairWeights) {
        public Inputs {
            int b = policyChosen.length;
            if (b == 0) throw new IllegalArgumentException("empty batch");
            check("policy rejected log-probs", policyRejected, b);
            if (refChosen != null) check("reference chosen log-probs", refChosen, b);
            if (refRejected != null) check("reference rejected log-probs", refRejected, b);
            if (chosenLengths != null && chosenLengths.length != b) throw sizeError("chosen lengths", chosenLengths.length, b);
            if (rejectedLengths != null && rejectedLengths.length != b) throw sizeError("rejected lengths", rejectedLengths.length, b);
            if (chosenPlain != null) check("plain chosen log-probs", chosenPlain, b);
            if (pairWeights != null) check("pair weights", pairWeights, b);
        }

        public Inputs(double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected,
                      int[] chosenLengths, int[] rejectedLengths) {
            this(policyChosen, policyRejected, refChosen, refRejected, chosenLengths, rejectedLengths, null, null);
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
     * @param loss      the batch loss (Σ_k w_k · mean of the term's losses)
     * @param losses    per-pair losses Σ_k w_k·L_k,i (weights and the NLL included); indexed by sorted rank for
     *                  aot/aot_unpaired, as TRL
     * @param dChosen   ∂loss/∂ℓ_w,i of the batch loss; as ℓ is a sum over tokens, it is also the
     *                  gradient of every completion token's log-prob of that sequence (times its weight in ℓ)
     * @param dRejected ∂loss/∂ℓ_l,i
     * @param dChosenPlain ∂loss/∂(plain chosen sum) of the sft term when {@link Inputs#chosenPlain()} was given
     *                  (every chosen token gets it unweighted); all zero otherwise, the term being in dChosen
     * @param chosenRewards   β·s_w,i (TRL's implicit rewards, no gradient)
     * @param rejectedRewards β·s_l,i
     * @param metrics   TRL's logged metrics for this batch
     */
    public record Result(double loss, double[] losses, double[] dChosen, double[] dRejected, double[] dChosenPlain,
                         double[] chosenRewards, double[] rejectedRewards, DpoMetrics metrics) {}

    /** Computes loss, gradients, rewards and metrics for one batch. */
    public Result compute(Inputs in) {
        int n = in.size();
        if (!referenceFree && (in.refChosen() == null || in.refRejected() == null)) {
            throw new IllegalArgumentException("reference log-probs are required unless reference_free");
        }
        for (Term t : terms) {
            if (t.type().needsLengths() && (in.chosenLengths() == null || (t.type() != LossType.SFT && in.rejectedLengths() == null))) {
                throw new IllegalArgumentException("loss_type " + t.type() + " needs the completion lengths");
            }
        }
        if (useWeighting && in.pairWeights() == null) throw new IllegalArgumentException("use_weighting needs the pair weights");
        double[] sw = new double[n], sl = new double[n], cw = new double[n], cl = new double[n], dcw = new double[n], dcl = new double[n];
        for (int i = 0; i < n; i++) {
            sw[i] = in.policyChosen()[i] - (referenceFree ? 0.0 : in.refChosen()[i]);
            sl[i] = in.policyRejected()[i] - (referenceFree ? 0.0 : in.refRejected()[i]);
            cw[i] = fDivergence.score(sw[i], fAlpha);
            cl[i] = fDivergence.score(sl[i], fAlpha);
            dcw[i] = fDivergence.derivative(sw[i], fAlpha);
            dcl[i] = fDivergence.derivative(sl[i], fAlpha);
        }
        double nll = Double.NaN;
        long tokens = 0;
        if (hasNll()) {
            double[] plain = in.chosenPlain() != null ? in.chosenPlain() : in.policyChosen();
            double sum = 0;
            for (int i = 0; i < n; i++) {
                tokens += in.chosenLengths()[i];
                sum += plain[i];
            }
            if (tokens <= 0) throw new IllegalArgumentException("the sft term (rpo_alpha) needs at least one chosen completion token");
            // RPO (Pang et al. 2024, arXiv 2404.19733): NLL = −Σℓ_w / Σn_w (TRL's token-mean cross-entropy)
            nll = -sum / tokens;
        }
        double[] weight = new double[n];
        double meanWeight = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = useWeighting ? in.pairWeights()[i] : 1.0;
            meanWeight += weight[i] / n;
        }

        double loss = 0;
        double[] losses = new double[n], gw = new double[n], gl = new double[n], gPlain = new double[n];
        double[] lk = new double[n], gwk = new double[n], glk = new double[n];
        for (Term term : terms) {
            LossType type = term.type();
            double w = term.weight();
            if (type == LossType.SFT) {
                // mean_i(W_i·NLL) = NLL·mean(W); every chosen token's log-p enters NLL with −1/Σn_w
                for (int i = 0; i < n; i++) {
                    losses[i] += w * weight[i] * nll;
                    gPlain[i] += -w * meanWeight / tokens;
                }
                loss += w * meanWeight * nll;
                continue;
            }
            Arrays.fill(gwk, 0);
            Arrays.fill(glk, 0);
            switch (type) {
                case AOT -> aot(in, lk, gwk, glk);
                case AOT_UNPAIRED -> aotUnpaired(sw, sl, lk, gwk, glk);
                default -> {
                    for (int i = 0; i < n; i++) {
                        PairLoss p = pair(type, sw[i], sl[i], cw[i], cl[i], dcw[i], dcl[i],
                                in.chosenLengths() == null ? 1 : in.chosenLengths()[i],
                                in.rejectedLengths() == null ? 1 : in.rejectedLengths()[i]);
                        lk[i] = p.loss();
                        gwk[i] = p.dsW();
                        glk[i] = p.dsL();
                    }
                }
            }
            double termSum = 0;
            for (int i = 0; i < n; i++) {
                losses[i] += w * weight[i] * lk[i];
                termSum += weight[i] * lk[i];
                gw[i] += w * weight[i] * gwk[i] / n;
                gl[i] += w * weight[i] * glk[i] / n;
            }
            loss += w * termSum / n;
        }
        if (in.chosenPlain() == null) {
            for (int i = 0; i < n; i++) {
                gw[i] += gPlain[i];
                gPlain[i] = 0;
            }
        }

        double[] rw = new double[n], rl = new double[n];
        for (int i = 0; i < n; i++) {
            rw[i] = beta * sw[i];
            rl[i] = beta * sl[i];
        }
        DpoMetrics metrics = DpoMetrics.of(loss, rw, rl, in.policyChosen(), in.policyRejected(), nll);
        return new Result(loss, losses, gw, gl, gPlain, rw, rl, metrics);
    }

    /** One pair's loss L and its derivatives ∂L/∂s_w, ∂L/∂s_l (= wrt ℓ_w and ℓ_l). */
    private record PairLoss(double loss, double dsW, double dsL) {}

    /**
     * One pair's loss and its derivatives wrt s_w and s_l. sW, sL are the log-ratio scores s = ℓ − ℓ_ref; the
     * formulas read the scores cW = g(sW), cL = g(sL) of the f-divergence (c = s for reverse KL) where TRL does,
     * with g′ = dcW, dcL; the derivatives below are first taken wrt c and carried through g′ at the end.
     * nW, nL are the completions' token counts (the length-normalised losses).
     */
    private PairLoss pair(LossType type, double sW, double sL, double cW, double cL, double dcW, double dcL, int nW, int nL) {
        double b = beta, eps = labelSmoothing;
        double z = b * (cW - cL);
        double loss, gw, gl;
        switch (type) {
            case SIGMOID -> {
                // DPO (Rafailov et al. 2023, arXiv 2305.18290, eq. 7); cDPO label smoothing (Mitchell 2023, ericmitchell.ai/cdpo.pdf):
                // L = −(1−ε) log σ(z) − ε log σ(−z)
                loss = smoothedSigmoid(z);
                double g = smoothedSigmoidGrad(z);
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
                double lenW = Math.max(nW, 1), lenL = Math.max(nL, 1);
                double h = cW / lenW - cL / lenL - 1 / (2 * b);
                loss = h * h;
                gw = 2 * h / lenW;
                gl = -2 * h / lenL;
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
                double rw = b * cW, rl = b * cL;
                loss = -logSigmoid(rw) - 0.5 * logSigmoid(-rw) - 0.5 * logSigmoid(-rl);
                gw = b * (-sigmoid(-rw) + 0.5 * sigmoid(rw));
                gl = b * 0.5 * sigmoid(rl);
            }
            case BCO_PAIR -> {
                // BCO (Jung et al. 2024, arXiv 2404.04656) with δ = 0 as TRL HEAD: L = −log σ(βs_w) − log σ(−βs_l)
                double rw = b * cW, rl = b * cL;
                loss = -logSigmoid(rw) - logSigmoid(-rl);
                gw = -b * sigmoid(-rw);
                gl = b * sigmoid(rl);
            }
            case SPPO_HARD -> {
                // SPPO (Wu et al. 2024, arXiv 2405.00675, eq. 4.7) with hard P ∈ {0,1}: L = (s_w − 1/(2β))² + (s_l + 1/(2β))²
                double a = cW - 0.5 / b, c = cL + 0.5 / b;
                loss = a * a + c * c;
                gw = 2 * a;
                gl = 2 * c;
            }
            case APO_ZERO -> {
                // APO-zero (D'Oosterlinck et al. 2024, arXiv 2408.06266, eq. 7): L = 1 − σ(βs_w) + σ(βs_l), on the
                // log-ratios themselves (TRL gives it no scores)
                double rw = b * sW, rl = b * sL;
                double pw = sigmoid(rw), pl = sigmoid(rl);
                return new PairLoss(1 - pw + pl, -b * pw * sigmoid(-rw), b * pl * sigmoid(-rl));
            }
            case APO_DOWN -> {
                // APO-down (arXiv 2408.06266, eq. 8): L = σ(βs_w) + 1 − σ(z); TRL's first term reads the log-ratio,
                // its second the scores
                double rw = b * sW;
                double pw = sigmoid(rw), pz = sigmoid(z);
                double dz = pz * sigmoid(-z);
                return new PairLoss(pw + 1 - pz, b * pw * sigmoid(-rw) - b * dz * dcW, b * dz * dcL);
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
                double lenW = Math.max(nW, 1), lenL = Math.max(nL, 1);
                double zn = b * (cW / lenW - cL / lenL);
                loss = -logSigmoid(zn);
                double g = -sigmoid(-zn);
                gw = b * g / lenW;
                gl = -b * g / lenL;
            }
            default -> throw new IllegalStateException("batch-coupled loss " + type);
        }
        return new PairLoss(loss, gw * dcW, gl * dcL);
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
