package align4j.control;

/**
 * What a trajectory-DPO run measured.
 *
 * @param referenceReturn       mean return of π_ref over the evaluation episodes
 * @param referenceReturnStd    its standard deviation across episodes
 * @param policyReturn          mean return of the DPO policy over the same start states
 * @param policyReturnStd       its standard deviation across episodes
 * @param labelAgreement        fraction of pairs whose Bradley–Terry label chose the higher return (ties count ½)
 * @param meanPairReturnGap     mean |R_a − R_b| over the pairs
 * @param finalLoss             mean DPO loss over the pairs in the last epoch
 * @param finalRewardAccuracy   fraction of pairs with β·Δ &gt; 0 in the last epoch (TRL's rewards/accuracies)
 * @param seconds               wall time of the whole run
 */
public record ControlDpoResult(double referenceReturn, double referenceReturnStd, double policyReturn,
                               double policyReturnStd, double labelAgreement, double meanPairReturnGap,
                               double finalLoss, double finalRewardAccuracy, double seconds) {}
