package align4j.train;

import align4j.loss.CpoLoss;

/**
 * TRL CPOConfig's loss settings, with TRL's names and defaults ({@link #defaults}); {@link #loss} builds the
 * {@link CpoLoss} they describe. CPO and SimPO have no reference model; SimPO is {@code loss_type} simpo, and with
 * {@code cpo_alpha} 0 the paper's loss alone. Change one with a {@code withX} copy:
 * {@code CpoConfig.defaults().withLossType(CpoLoss.Type.SIMPO).withCpoAlpha(0)}.
 *
 * @param lossType       loss_type: sigmoid, hinge, ipo or simpo (default sigmoid)
 * @param beta           β (τ of IPO; default 0.1)
 * @param labelSmoothing label_smoothing, ε of sigmoid and simpo (default 0)
 * @param cpoAlpha       cpo_alpha, the weight of the chosen completions' NLL (default 1.0)
 * @param simpoGamma     simpo_gamma, SimPO's target reward margin γ (default 0.5)
 */
public record CpoConfig(CpoLoss.Type lossType, double beta, double labelSmoothing, double cpoAlpha, double simpoGamma) {
    public CpoConfig {
        loss(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma); // checks the values now, with TRL's names
    }

    public static CpoConfig defaults() {
        return new CpoConfig(CpoLoss.Type.SIGMOID, 0.1, 0.0, 1.0, 0.5);
    }

    public CpoLoss loss() {
        return loss(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }

    private static CpoLoss loss(CpoLoss.Type lossType, double beta, double labelSmoothing, double cpoAlpha, double simpoGamma) {
        return new CpoLoss(lossType, beta, labelSmoothing, simpoGamma, cpoAlpha);
    }

    public CpoConfig withLossType(CpoLoss.Type lossType) {
        return new CpoConfig(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }

    public CpoConfig withBeta(double beta) {
        return new CpoConfig(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }

    public CpoConfig withLabelSmoothing(double labelSmoothing) {
        return new CpoConfig(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }

    public CpoConfig withCpoAlpha(double cpoAlpha) {
        return new CpoConfig(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }

    public CpoConfig withSimpoGamma(double simpoGamma) {
        return new CpoConfig(lossType, beta, labelSmoothing, cpoAlpha, simpoGamma);
    }
}
