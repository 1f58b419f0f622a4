package align4j.cli;

import align4j.loss.FDivergence;
import align4j.loss.LossType;
import align4j.train.DpoConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code dpo} loss flags, TRL's DPOConfig names, each starting from {@link DpoConfig#defaults()}, and the config they make. */
final class DpoOptions {
    private static final DpoConfig D = DpoConfig.defaults();

    @Option(names = "--beta", description = "β, the KL strength (τ for IPO; default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--loss-type", split = ",", paramLabel = "TYPE",
            description = "sigmoid, hinge, ipo, robust, exo_pair, nca_pair, bco_pair, sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop, sigmoid_norm, sft; several, comma-separated, are summed (MPO: sigmoid,bco_pair,sft).")
    List<String> lossType = D.lossType().stream().map(LossType::toString).toList();
    @Option(names = "--loss-weights", split = ",", paramLabel = "W", description = "Weight of each --loss-type, in order (default: all 1).")
    double[] lossWeights = D.lossWeights();
    @Option(names = "--f-divergence-type", paramLabel = "F",
            description = "Divergence to the reference (f-DPO): reverse_kl, forward_kl, js_divergence, alpha_divergence (default ${DEFAULT-VALUE}).")
    String fDivergenceType = D.fDivergenceType().toString();
    @Option(names = "--f-alpha-divergence-coef", paramLabel = "A", description = "α of alpha_divergence (default ${DEFAULT-VALUE}, TRL's).")
    double fAlphaDivergenceCoef = D.fAlphaDivergenceCoef();
    @Option(names = "--ld-alpha", paramLabel = "A",
            description = "LD-DPO: weight in [0, 1] of the completion tokens past the shorter completion of the pair (default ${DEFAULT-VALUE}: off).")
    double ldAlpha = D.ldAlpha();
    @Option(names = "--use-weighting", arity = "0..1", fallbackValue = "true", description = "WPO: weight each pair's loss by how likely the policy finds both completions.")
    boolean useWeighting = D.useWeighting();
    @Option(names = "--label-smoothing", description = "ε for robust/cDPO, exo_pair, aot (default ${DEFAULT-VALUE}).")
    double labelSmoothing = D.labelSmoothing();
    @Option(names = "--reference-free", arity = "0..1", fallbackValue = "true", description = "Use a uniform reference (log π_ref = 0).")
    boolean referenceFree = D.referenceFree();
    @Option(names = "--rpo-alpha", description = "Weight of the NLL term on chosen completions (RPO; default ${DEFAULT-VALUE}).")
    double rpoAlpha = D.rpoAlpha();
    @Option(names = "--discopop-tau", description = "τ of the discopop loss (default ${DEFAULT-VALUE}).")
    double discopopTau = D.discopopTau();

    /** The config; out-of-range values are input errors named as TRL names them. */
    DpoConfig config() {
        DpoConfig cfg = new DpoConfig(lossType.stream().map(LossType::parse).toList(), lossWeights, beta, labelSmoothing,
                referenceFree, rpoAlpha, discopopTau, FDivergence.parse(fDivergenceType), fAlphaDivergenceCoef, useWeighting, ldAlpha);
        cfg.loss(); // checks the loss settings now, before any model is loaded
        return cfg;
    }
}
