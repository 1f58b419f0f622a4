package align4j.train;

import align4j.loss.OrpoLoss;

/**
 * TRL ORPOConfig's loss setting, with TRL's name and default ({@link #defaults}); {@link #loss} builds the
 * {@link OrpoLoss} it describes. ORPO has no reference model.
 *
 * @param beta λ, the weight of the odds-ratio term against the NLL (default 0.1)
 */
public record OrpoConfig(double beta) {
    public OrpoConfig {
        new OrpoLoss(beta); // checks the value now, with TRL's name
    }

    public static OrpoConfig defaults() {
        return new OrpoConfig(OrpoLoss.DEFAULT_BETA);
    }

    public OrpoLoss loss() {
        return new OrpoLoss(beta);
    }

    public OrpoConfig withBeta(double beta) {
        return new OrpoConfig(beta);
    }
}
