package align4j.cli;

import align4j.api.Dpo;
import align4j.api.Policy;
import align4j.api.TrainResult;
import align4j.data.Pairs;
import align4j.data.PreferenceData;
import align4j.loss.FDivergence;
import align4j.loss.LossType;
import align4j.train.DpoConfig;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j dpo}: flags of {@link DpoConfig} and {@link TrainingArgs} → {@link Dpo#train} → the saved model. */
@Command(name = "dpo", description = "Train a model with DPO (and its TRL loss variants) on preference pairs.")
final class DpoCommand implements Callable<Integer> {
    private static final DpoConfig DEFAULTS = DpoConfig.defaults();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (the policy), or a PEFT adapter folder.")
    Path model;
    @Option(names = "--ref-model", paramLabel = "DIR", description = "Reference model folder (default: the policy's starting weights).")
    Path refModel;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training preference data (JSONL[.gz], JSON, Parquet).")
    Path dataset;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--beta", description = "β, the KL strength (τ for IPO; default ${DEFAULT-VALUE}).")
    double beta = DEFAULTS.beta();
    @Option(names = "--loss-type", split = ",", paramLabel = "TYPE",
            description = "sigmoid, hinge, ipo, robust, exo_pair, nca_pair, bco_pair, sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop, sigmoid_norm, sft; several, comma-separated, are summed (MPO: sigmoid,bco_pair,sft).")
    List<String> lossType = DEFAULTS.lossType().stream().map(LossType::toString).toList();
    @Option(names = "--loss-weights", split = ",", paramLabel = "W", description = "Weight of each --loss-type, in order (default: all 1).")
    double[] lossWeights = DEFAULTS.lossWeights();
    @Option(names = "--f-divergence-type", paramLabel = "F",
            description = "Divergence to the reference (f-DPO): reverse_kl, forward_kl, js_divergence, alpha_divergence (default ${DEFAULT-VALUE}).")
    String fDivergenceType = DEFAULTS.fDivergenceType().toString();
    @Option(names = "--f-alpha-divergence-coef", paramLabel = "A", description = "α of alpha_divergence (default ${DEFAULT-VALUE}, TRL's).")
    double fAlphaDivergenceCoef = DEFAULTS.fAlphaDivergenceCoef();
    @Option(names = "--ld-alpha", paramLabel = "A",
            description = "LD-DPO: weight in [0, 1] of the completion tokens past the shorter completion of the pair (default ${DEFAULT-VALUE}: off).")
    double ldAlpha = DEFAULTS.ldAlpha();
    @Option(names = "--use-weighting", arity = "0..1", fallbackValue = "true", description = "WPO: weight each pair's loss by how likely the policy finds both completions.")
    boolean useWeighting = DEFAULTS.useWeighting();
    @Option(names = "--label-smoothing", description = "ε for robust/cDPO, exo_pair, aot (default ${DEFAULT-VALUE}).")
    double labelSmoothing = DEFAULTS.labelSmoothing();
    @Option(names = "--reference-free", arity = "0..1", fallbackValue = "true", description = "Use a uniform reference (log π_ref = 0).")
    boolean referenceFree = DEFAULTS.referenceFree();
    @Option(names = "--rpo-alpha", description = "Weight of the NLL term on chosen completions (RPO; default ${DEFAULT-VALUE}).")
    double rpoAlpha = DEFAULTS.rpoAlpha();
    @Option(names = "--discopop-tau", description = "τ of the discopop loss (default ${DEFAULT-VALUE}).")
    double discopopTau = DEFAULTS.discopopTau();
    @Option(names = "--precompute-ref-log-probs", arity = "0..1", fallbackValue = "true",
            description = "Accepted for TRL compatibility: reference log-probs are always computed once and cached.")
    boolean precomputeRefLogProbs = true;
    @Mixin
    EvalOptions evalOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    DataOptions data;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        TrainingArgs args = training.toArgs();
        DpoConfig cfg = new DpoConfig(lossType.stream().map(LossType::parse).toList(), lossWeights, beta, labelSmoothing,
                referenceFree, rpoAlpha, discopopTau, FDivergence.parse(fDivergenceType), fAlphaDivergenceCoef, useWeighting, ldAlpha);
        cfg.loss(); // range errors before the (slow) model load
        Policy policy = modelOptions.policy(model, data.tokenizer, args.seed());
        PreferenceData[] sets = evalOptions.data("dpo", data, dataset, policy.tokenizerDir(), policy.config().vocabSize(), args.seed());
        Pairs train = sets[0].pairs(), eval = sets[1] == null ? null : sets[1].pairs();
        Policy ref = refModel == null || referenceFree ? null : Policy.loadFrozen(refModel, modelOptions.bf16());
        if (evalOnly) {
            Map<String, Double> m = Dpo.evaluate(policy, ref, cfg, args, eval != null ? eval : train);
            EvalOptions.writeResults(args.outputDir(), m);
            m.forEach((k, v) -> System.out.printf("%-28s %.6f%n", k, v));
            return 0;
        }
        TrainResult result = Dpo.train(policy, ref, cfg, args, train, eval);
        TrainingOptions.save("dpo", policy, args, result, eval != null);
        return 0;
    }
}
