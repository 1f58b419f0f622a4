package align4j.train;

import align4j.InputException;
import align4j.loss.DpoLoss;
import align4j.loss.FDivergence;
import align4j.loss.LossType;
import java.util.List;

/**
 * TRL DPOConfig's loss settings, with TRL's names and defaults ({@link #defaults}); {@link #loss} builds the
 * {@link DpoLoss} they describe. Change one with a {@code withX} copy: {@code DpoConfig.defaults().withBeta(0.3)}.
 *
 * @param lossType             loss_type: one or several of {@link LossType}, summed (default [sigmoid])
 * @param lossWeights          loss_weights: one per loss type, or null for all 1 (default)
 * @param beta                 β, the KL strength; τ for IPO (default 0.1)
 * @param labelSmoothing       ε for robust/cDPO, exo_pair, aot (default 0)
 * @param referenceFree        reference_free: a uniform reference, log π_ref = 0 (default false)
 * @param rpoAlpha             rpo_alpha: weight of the NLL term on chosen completions (default 0)
 * @param discopopTau          discopop_tau (default 0.05)
 * @param fDivergenceType      f_divergence_type (default reverse_kl)
 * @param fAlphaDivergenceCoef f_alpha_divergence_coef, α of alpha_divergence (default 0.5)
 * @param useWeighting         use_weighting: WPO pair weights (default false)
 * @param ldAlpha              ld_alpha: LD-DPO's weight in [0, 1] of the tokens past the shorter completion; 1 is off (default)
 */
public record DpoConfig(List<LossType> lossType, double[] lossWeights, double beta, double labelSmoothing, boolean referenceFree,
                        double rpoAlpha, double discopopTau, FDivergence fDivergenceType, double fAlphaDivergenceCoef,
                        boolean useWeighting, double ldAlpha) {
    public DpoConfig {
        lossType = List.copyOf(lossType);
        if (!(ldAlpha >= 0 && ldAlpha <= 1)) throw new InputException("ld_alpha (--ld-alpha) must be in [0, 1], got " + ldAlpha);
    }

    public static DpoConfig defaults() {
        return new DpoConfig(List.of(LossType.SIGMOID), null, 0.1, 0, false, 0, DpoLoss.DEFAULT_DISCOPOP_TAU,
                FDivergence.REVERSE_KL, FDivergence.DEFAULT_ALPHA, false, 1.0);
    }

    /** The loss these settings describe; out-of-range values are input errors with TRL's names. */
    public DpoLoss loss() {
        return new DpoLoss(DpoLoss.terms(lossType, lossWeights, rpoAlpha), beta, labelSmoothing, referenceFree, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting);
    }

    public DpoConfig withLossType(List<LossType> lossType) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withLossWeights(double[] lossWeights) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withBeta(double beta) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withLabelSmoothing(double labelSmoothing) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withReferenceFree(boolean referenceFree) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withRpoAlpha(double rpoAlpha) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withDiscopopTau(double discopopTau) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withFDivergenceType(FDivergence fDivergenceType) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withFAlphaDivergenceCoef(double fAlphaDivergenceCoef) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withUseWeighting(boolean useWeighting) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }

    public DpoConfig withLdAlpha(double ldAlpha) {
        return new DpoConfig(lossType, lossWeights, beta, labelSmoothing, referenceFree, rpoAlpha, discopopTau,
                fDivergenceType, fAlphaDivergenceCoef, useWeighting, ldAlpha);
    }
}
