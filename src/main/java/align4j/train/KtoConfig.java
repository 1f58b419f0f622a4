package align4j.train;

import align4j.loss.KtoLoss;

/**
 * TRL KTOConfig's loss settings, with TRL's names and defaults ({@link #defaults}); {@link #loss} builds the
 * {@link KtoLoss} they describe. The learning rate is TrainingArgs' (KTOConfig's default is DPOConfig's, 1e-6).
 *
 * @param lossType          loss_type: kto (default) or apo_zero_unpaired
 * @param beta              β (default 0.1)
 * @param desirableWeight   desirable_weight, the weight of the losses of label=true examples (default 1)
 * @param undesirableWeight undesirable_weight, of label=false examples (default 1)
 */
public record KtoConfig(KtoLoss.Type lossType, double beta, double desirableWeight, double undesirableWeight) {
    public KtoConfig {
        new KtoLoss(lossType, beta, desirableWeight, undesirableWeight); // checks the values now, with TRL's names
    }

    public static KtoConfig defaults() {
        return new KtoConfig(KtoLoss.Type.KTO, KtoLoss.DEFAULT_BETA, 1.0, 1.0);
    }

    public KtoLoss loss() {
        return new KtoLoss(lossType, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withLossType(KtoLoss.Type lossType) {
        return new KtoConfig(lossType, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withBeta(double beta) {
        return new KtoConfig(lossType, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withDesirableWeight(double desirableWeight) {
        return new KtoConfig(lossType, beta, desirableWeight, undesirableWeight);
    }

    public KtoConfig withUndesirableWeight(double undesirableWeight) {
        return new KtoConfig(lossType, beta, desirableWeight, undesirableWeight);
    }
}
