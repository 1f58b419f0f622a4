package align4j.loss;

import java.util.Map;

/**
 * A pair loss on the policy's log-probs alone, with no reference model: ORPO ({@link OrpoLoss}) and CPO/SimPO
 * ({@link CpoLoss}). Both add the NLL of the chosen completions, which TRL's ORPOTrainer takes over the prompt
 * tokens too ({@link #nllOverPrompt()}).
 */
public sealed interface PolicyPairLoss permits OrpoLoss, CpoLoss {

    /** The loss, its gradients and TRL's metrics for one batch. */
    Result compute(Inputs in);

    /** Whether the NLL term covers the prompt tokens as well as the chosen completion's (TRL's ORPO). */
    boolean nllOverPrompt();

    /**
     * Summed log-probs of one batch of B pairs: ℓ_w, ℓ_l over each completion, n_w, n_l its scored tokens (clamped
     * to ≥ 1 where a length divides), and, when {@link #nllOverPrompt()}, ℓ_p over the scored prompt tokens
     * (every prompt token after the first) and their count m. promptLogps and promptTokens may be null (no prompt
     * tokens in the NLL).
     */
    record Inputs(double[] policyChosen, double[] policyRejected, int[] chosenLengths, int[] rejectedLengths,
                  double[] promptLogps, int[] promptTokens) {
        public Inputs {
            int b = policyChosen.length;
            if (b == 0) throw new IllegalArgumentException("empty batch");
            if (policyRejected.length != b || chosenLengths.length != b || rejectedLengths.length != b
                    || promptLogps != null && promptLogps.length != b || promptTokens != null && promptTokens.length != b) {
                throw new IllegalArgumentException("every input needs one value per pair of the batch of " + b);
            }
            if ((promptLogps == null) != (promptTokens == null)) {
                throw new IllegalArgumentException("prompt log-probs and prompt token counts come together");
            }
        }

        public Inputs(double[] policyChosen, double[] policyRejected, int[] chosenLengths, int[] rejectedLengths) {
            this(policyChosen, policyRejected, chosenLengths, rejectedLengths, null, null);
        }

        public int size() {
            return policyChosen.length;
        }

        /**
         * TRL's NLL of the chosen sequences: the token mean of −log p over every chosen completion token and, when
         * given, every scored prompt token of the batch (one cross-entropy over the flattened batch).
         * NLL = −Σ_i (ℓ_p,i + ℓ_w,i) / Σ_i (m_i + n_w,i).
         */
        double nll() {
            return -nllSum() / nllTokens();
        }

        double nllSum() {
            double s = 0;
            for (int i = 0; i < size(); i++) s += policyChosen[i] + (promptLogps == null ? 0 : promptLogps[i]);
            return s;
        }

        long nllTokens() {
            long t = 0;
            for (int i = 0; i < size(); i++) t += chosenLengths[i] + (promptTokens == null ? 0 : promptTokens[i]);
            if (t <= 0) throw new IllegalArgumentException("the NLL term needs at least one chosen token");
            return t;
        }
    }

    /**
     * @param loss      the batch loss
     * @param losses    per-pair losses, whose mean is the loss (the batch's NLL included in each)
     * @param dChosen   ∂loss/∂ℓ_w,i; ℓ being a sum, every chosen completion token of pair i gets it
     * @param dRejected ∂loss/∂ℓ_l,i
     * @param dPrompt   ∂loss/∂ℓ_p,i (every scored prompt token of pair i gets it); zero unless the NLL covers prompts
     * @param metrics   TRL's logged names and values for this batch, in TRL's order, without the logits/* the model
     *                  gives
     */
    record Result(double loss, double[] losses, double[] dChosen, double[] dRejected, double[] dPrompt,
                  Map<String, Double> metrics) {}
}
