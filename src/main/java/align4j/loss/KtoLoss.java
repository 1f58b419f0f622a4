package align4j.loss;

import align4j.InputException;
import static align4j.loss.Logistic.sigmoid;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KTO (Ethayarajh et al. 2024, "KTO: Model Alignment as Prospect Theoretic Optimization", arXiv 2402.01306, eq. 7)
 * and its unpaired APO-zero variant (D'Oosterlinck et al. 2024, arXiv 2408.06266, eq. 7), as TRL's KTOTrainer
 * computes them ({@code trl/trainer/kto_trainer.py}: {@code kto_loss}, {@code get_batch_loss_metrics}).
 *
 * <p>Each example is one completion y of a prompt x with a label: desirable (TRL {@code label=True}) or not. With
 * r = ℓ_θ(y|x) − ℓ_ref(y|x) (summed completion log-probs) and the reference point
 * <pre>
 *   z0 = max(0, mean_j (ℓ_θ(y'_j|x_j) − ℓ_ref(y'_j|x_j)))     (detached: no gradient flows through it)
 * </pre>
 * over the batch's mismatched pairs (x_j, y'_j) (TRL's KL dataset: each prompt with another example's completion),
 * <pre>
 *   kto:                desirable 1 − σ(β(r − z0)),   undesirable 1 − σ(β(z0 − r))
 *   apo_zero_unpaired:  desirable 1 − σ(βr),          undesirable σ(βr)            (z0 = 0, not estimated)
 * </pre>
 * each times {@code desirable_weight} or {@code undesirable_weight}; the loss is the mean over the batch's examples.
 *
 * <p>Metrics, TRL's per-batch names (its {@code log} turns them into rewards/chosen = Σ rewards/chosen_sum /
 * Σ count/chosen and so on): kl = z0, and for each side with at least one example rewards/chosen_sum = Σ βr,
 * logps/chosen_sum = Σ ℓ_θ, count/chosen (and the same for rejected); the logits/*_sum come from the model.
 *
 * @param type              TRL {@code loss_type}
 * @param beta              β (default 0.1)
 * @param desirableWeight   TRL {@code desirable_weight} (default 1)
 * @param undesirableWeight TRL {@code undesirable_weight} (default 1)
 */
public record KtoLoss(Type type, double beta, double desirableWeight, double undesirableWeight) {
    public static final double DEFAULT_BETA = 0.1;

    /** TRL's KTOConfig {@code loss_type} values. */
    public enum Type {
        KTO("kto"), APO_ZERO_UNPAIRED("apo_zero_unpaired");

        private final String trlName;

        Type(String trlName) {
            this.trlName = trlName;
        }

        public String trlName() {
            return trlName;
        }

        public static Type parse(String s) {
            for (Type t : values()) if (t.trlName.equals(s)) return t;
            throw new InputException("loss_type: expected kto or apo_zero_unpaired, got \"" + s + "\"");
        }

        @Override
        public String toString() {
            return trlName;
        }
    }

    public KtoLoss {
        if (type == null) throw new InputException("loss_type is required (kto or apo_zero_unpaired)");
        if (!(beta > 0) || Double.isInfinite(beta)) throw new InputException("beta must be > 0, got " + beta);
        if (!(desirableWeight >= 0) || Double.isInfinite(desirableWeight)) {
            throw new InputException("desirable_weight must be ≥ 0, got " + desirableWeight);
        }
        if (!(undesirableWeight >= 0) || Double.isInfinite(undesirableWeight)) {
            throw new InputException("undesirable_weight must be ≥ 0, got " + undesirableWeight);
        }
    }

    /** Whether the loss needs the reference point z0, hence the mismatched (KL) pairs (TRL's {@code calculate_KL}). */
    public boolean usesKl() {
        return type == Type.KTO;
    }

    /**
     * One batch of n examples: summed completion log-probs under the policy and the reference, the labels, and the
     * summed log-probs of the n mismatched (KL) pairs under both (may be null when {@link #usesKl()} is false).
     */
    public record Inputs(double[] policy, double[] reference, boolean[] desirable, double[] policyKl, double[] referenceKl) {
        public Inputs {
            int n = policy.length;
            if (n == 0) throw new IllegalArgumentException("empty batch");
            if (reference.length != n || desirable.length != n) {
                throw new IllegalArgumentException("every input needs one value per example of the batch of " + n);
            }
            if ((policyKl == null) != (referenceKl == null) || policyKl != null && policyKl.length != referenceKl.length) {
                throw new IllegalArgumentException("the KL pairs need one policy and one reference value each");
            }
        }

        public int size() {
            return policy.length;
        }
    }

    /**
     * @param loss    the batch loss, the mean of losses
     * @param losses  per-example losses (weighted), in the input order
     * @param dPolicy ∂loss/∂ℓ_θ,i; ℓ being a sum, every completion token of example i gets it (the KL pairs get none)
     * @param kl      z0
     * @param metrics TRL's per-batch names and values, in TRL's order, without the logits/*_sum the model gives
     */
    public record Result(double loss, double[] losses, double[] dPolicy, double kl, Map<String, Double> metrics) {}

    public Result compute(Inputs in) {
        int n = in.size();
        double kl = 0;
        if (usesKl()) {
            if (in.policyKl() == null || in.policyKl().length == 0) {
                throw new IllegalArgumentException("loss_type kto needs the log-probs of the mismatched (KL) pairs");
            }
            for (int j = 0; j < in.policyKl().length; j++) kl += in.policyKl()[j] - in.referenceKl()[j];
            kl = Math.max(0, kl / in.policyKl().length);
        }
        double[] losses = new double[n], d = new double[n];
        double lossSum = 0, rewardsChosen = 0, logpsChosen = 0, rewardsRejected = 0, logpsRejected = 0;
        int chosen = 0, rejected = 0;
        for (int i = 0; i < n; i++) {
            double r = in.policy()[i] - in.reference()[i];
            // z is the sigmoid's argument; the loss is w(1 − σ(z)) with ∂z/∂r = sign·β, or w·σ(z) (apo, undesirable)
            double z, dLdz;
            if (in.desirable()[i]) {
                z = beta * (usesKl() ? r - kl : r);
                losses[i] = desirableWeight * sigmoid(-z);
                dLdz = -desirableWeight * sigmoid(z) * sigmoid(-z);
                d[i] = dLdz * beta / n;
                rewardsChosen += beta * r;
                logpsChosen += in.policy()[i];
                chosen++;
            } else if (usesKl()) {
                z = beta * (kl - r);
                losses[i] = undesirableWeight * sigmoid(-z);
                dLdz = -undesirableWeight * sigmoid(z) * sigmoid(-z);
                d[i] = -dLdz * beta / n;
                rewardsRejected += beta * r;
                logpsRejected += in.policy()[i];
                rejected++;
            } else {
                z = beta * r;
                losses[i] = undesirableWeight * sigmoid(z);
                dLdz = undesirableWeight * sigmoid(z) * sigmoid(-z);
                d[i] = dLdz * beta / n;
                rewardsRejected += beta * r;
                logpsRejected += in.policy()[i];
                rejected++;
            }
            lossSum += losses[i];
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("kl", kl);
        if (chosen > 0) {
            m.put("rewards/chosen_sum", rewardsChosen);
            m.put("logps/chosen_sum", logpsChosen);
            m.put("count/chosen", (double) chosen);
        }
        if (rejected > 0) {
            m.put("rewards/rejected_sum", rewardsRejected);
            m.put("logps/rejected_sum", logpsRejected);
            m.put("count/rejected", (double) rejected);
        }
        return new Result(lossSum / n, losses, d, kl, m);
    }
}
