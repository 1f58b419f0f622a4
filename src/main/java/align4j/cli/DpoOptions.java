package align4j.cli;

import align4j.InputException;
import align4j.loss.FDivergence;
import align4j.loss.LossType;
import align4j.loss.PlackettLuceDpoLoss;
import align4j.train.DpoConfig;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code dpo} loss flags, TRL's DPOConfig names, each starting from {@link DpoConfig#defaults()}, and the config they make. */
final class DpoOptions {
    private static final DpoConfig D = DpoConfig.defaults();
    /** The listwise loss type: not TRL's, so not a {@link LossType}. */
    private static final String PLACKETT_LUCE = "plackett_luce";

    @Option(names = "--beta", description = "β, the KL strength (τ for IPO; default ${DEFAULT-VALUE}).")
    double beta = D.beta();
    @Option(names = "--loss-type", split = ",", paramLabel = "TYPE",
            description = "sigmoid, hinge, ipo, robust, exo_pair, nca_pair, bco_pair, sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop, sigmoid_norm, sft; several, comma-separated, are summed (MPO: sigmoid,bco_pair,sft); plackett_luce: listwise DPO on rankings of K ≥ 2 completions.")
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

    /** Whether --loss-type is plackett_luce: listwise DPO (the DPO paper's Appendix A.3), not a TRL pair loss. */
    boolean listwise() {
        boolean pl = lossType.stream().anyMatch(t -> t.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_').equals(PLACKETT_LUCE));
        if (pl && lossType.size() > 1) throw new InputException("--loss-type plackett_luce cannot be combined with other loss types");
        return pl;
    }

    /** The listwise loss of --loss-type plackett_luce; the pair-only flags must keep their defaults. */
    PlackettLuceDpoLoss listwiseLoss() {
        config();
        if (labelSmoothing != 0 || rpoAlpha != 0 || ldAlpha != 1 || useWeighting || lossWeights != null
                || FDivergence.parse(fDivergenceType) != FDivergence.REVERSE_KL) {
            throw new InputException("--loss-type plackett_luce takes --beta and --reference-free only (not label smoothing, rpo_alpha,"
                    + " ld_alpha, use_weighting, loss weights or an f-divergence)");
        }
        return new PlackettLuceDpoLoss(beta, referenceFree);
    }

    /** The config; out-of-range values are input errors named as TRL names them. */
    DpoConfig config() {
        DpoConfig cfg = new DpoConfig(listwise() ? List.of(LossType.SIGMOID) : lossType.stream().map(LossType::parse).toList(), lossWeights, beta, labelSmoothing,
                referenceFree, rpoAlpha, discopopTau, FDivergence.parse(fDivergenceType), fAlphaDivergenceCoef, useWeighting, ldAlpha);
        cfg.loss(); // checks the loss settings now, before any model is loaded
        return cfg;
    }
}
