package align4j.cli;

import align4j.InputException;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.loss.DpoLoss;
import align4j.loss.FDivergence;
import align4j.loss.LossType;
import align4j.model.Lora;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.DpoObjective;
import align4j.train.DpoTask;
import align4j.train.PairLogps;
import align4j.data.Pairs;
import align4j.train.ProgressDisplay;
import align4j.train.RefLogpsCache;
import align4j.train.Stats;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j dpo}: Direct Preference Optimization of a Hugging Face model on a preference dataset,
 * with TRL's argument and metric names. The reference's log-probs are computed once (by the --ref-model,
 * or by the policy's own starting weights) and cached, so training holds one model.
 */
@Command(name = "dpo", description = "Train a model with DPO (and its TRL loss variants) on preference pairs.")
final class DpoCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (the policy).")
    Path model;
    @Option(names = "--ref-model", paramLabel = "DIR", description = "Reference model folder (default: the policy's starting weights).")
    Path refModel;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training preference data (JSONL[.gz], JSON, Parquet).")
    Path dataset;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--beta", defaultValue = "0.1", description = "β, the KL strength (τ for IPO; default ${DEFAULT-VALUE}).")
    double beta;
    @Option(names = "--loss-type", defaultValue = "sigmoid", split = ",", paramLabel = "TYPE",
            description = "sigmoid, hinge, ipo, robust, exo_pair, nca_pair, bco_pair, sppo_hard, aot, aot_unpaired, apo_zero, apo_down, discopop, sigmoid_norm, sft; several, comma-separated, are summed (MPO: sigmoid,bco_pair,sft).")
    List<String> lossType;
    @Option(names = "--loss-weights", split = ",", paramLabel = "W",
            description = "Weight of each --loss-type, in order (default: all 1).")
    double[] lossWeights;
    @Option(names = "--f-divergence-type", defaultValue = "reverse_kl", paramLabel = "F",
            description = "Divergence to the reference (f-DPO): reverse_kl, forward_kl, js_divergence, alpha_divergence (default ${DEFAULT-VALUE}).")
    String fDivergenceType;
    @Option(names = "--f-alpha-divergence-coef", defaultValue = "0.5", paramLabel = "A",
            description = "α of alpha_divergence (default ${DEFAULT-VALUE}, TRL's).")
    double fAlphaDivergenceCoef;
    @Option(names = "--ld-alpha", paramLabel = "A",
            description = "LD-DPO: weight in [0, 1] of the completion tokens past the shorter completion of the pair (default: off, i.e. 1).")
    Double ldAlpha;
    @Option(names = "--use-weighting", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "WPO: weight each pair's loss by how likely the policy finds both completions.")
    boolean useWeighting;
    @Option(names = "--label-smoothing", defaultValue = "0", description = "ε for robust/cDPO, exo_pair, aot (default ${DEFAULT-VALUE}).")
    double labelSmoothing;
    @Option(names = "--reference-free", arity = "0..1", fallbackValue = "true", defaultValue = "false", description = "Use a uniform reference (log π_ref = 0).")
    boolean referenceFree;
    @Option(names = "--rpo-alpha", defaultValue = "0", description = "Weight of the NLL term on chosen completions (RPO; default ${DEFAULT-VALUE}).")
    double rpoAlpha;
    @Option(names = "--discopop-tau", defaultValue = "0.05", description = "τ of the discopop loss (default ${DEFAULT-VALUE}).")
    double discopopTau;
    @Option(names = "--precompute-ref-log-probs", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Accepted for TRL compatibility: reference log-probs are always computed once and cached.")
    boolean precomputeRefLogProbs;
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
        DpoLoss loss;
        try {
            List<LossType> types = new java.util.ArrayList<>();
            for (String t : lossType) types.add(LossType.parse(t));
            loss = new DpoLoss(DpoLoss.terms(types, lossWeights, rpoAlpha), beta, labelSmoothing, referenceFree, discopopTau,
                    FDivergence.parse(fDivergenceType), fAlphaDivergenceCoef, useWeighting);
            if (ldAlpha != null && !(ldAlpha >= 0 && ldAlpha <= 1)) throw new IllegalArgumentException("--ld-alpha must be in [0, 1], got " + ldAlpha);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        // --model may be a PEFT adapter folder: continue training it on the base it names
        ModelOptions.Folders folders = ModelOptions.Folders.of(model, null);
        Path adapterDir = folders.adapter(), baseDir = folders.base(), tokenizerDir = folders.tokenizer();
        LoadedModel lm = HfModel.load(baseDir);
        Transformer policy = new Transformer(lm.config(), lm.tensors());
        Lora lora = modelOptions.apply(policy, adapterDir, args.seed());
        int vocab = lm.config().vocabSize();
        DataOptions.Loaded train = data.load(dataset, tokenizerDir, vocab);
        report("dataset", train);
        Pairs trainPairs = train.pairs(), evalPairs = null;
        if (evalOptions.evalDataset != null) {
            DataOptions.Loaded ev = data.load(evalOptions.evalDataset, tokenizerDir, vocab);
            report("eval dataset", ev);
            evalPairs = ev.pairs();
        } else if (evalOptions.holdsOut()) {
            int[][] idx = evalOptions.split(trainPairs.size(), args.seed());
            evalPairs = trainPairs.select(idx[1]);
            trainPairs = trainPairs.select(idx[0]);
        }
        Files.createDirectories(args.outputDir());
        double ld = ldAlpha == null ? 1.0 : ldAlpha;
        Path cache = args.outputDir().resolve("ref_cache");
        PairLogps.Result trainRef, evalRef = null;
        if (referenceFree) {
            trainRef = zeros(trainPairs.size());
            if (evalPairs != null) evalRef = zeros(evalPairs.size());
        } else {
            Transformer ref = policy;
            if (refModel != null) {
                LoadedModel r = HfModel.load(refModel);
                if (r.config().vocabSize() != vocab) {
                    throw new InputException(refModel + ": vocab_size " + r.config().vocabSize() + " differs from the policy's " + vocab);
                }
                ref = new Transformer(r.config(), r.tensors());
                if (modelOptions.bf16()) ref.holdFrozenWeightsAsBf16();
            }
            System.err.println("dpo: reference log-probs (computed once, cached in " + cache + ")");
            // with PEFT the reference is the base model: the policy's own weights with its adapters off
            if (ref == policy) policy.setAdaptersEnabled(false);
            trainRef = RefLogpsCache.get(cache, ref, trainPairs, args.evalBatchSize(), ld, null);
            if (evalPairs != null) evalRef = RefLogpsCache.get(cache, ref, evalPairs, args.evalBatchSize(), ld, null);
            policy.setAdaptersEnabled(true);
        }
        DpoTask task = new DpoTask(new DpoObjective(policy, loss, ld), trainPairs, trainRef, evalPairs, evalRef, args.evalBatchSize());
        if (evalOnly) {
            Pairs p = evalPairs != null ? evalPairs : trainPairs;
            Stats s = task.evaluate(p, evalPairs != null ? evalRef : trainRef, args.evalBatchSize());
            Map<String, Double> m = s.means("eval_");
            EvalOptions.writeResults(args.outputDir(), m);
            m.forEach((k, v) -> System.out.printf("%-28s %.6f%n", k, v));
            return 0;
        }
        // with PEFT only the adapters train (and are checkpointed with their AdamW state); the base stays frozen
        List<Tensor> trained = lora != null ? lora.parameters() : policy.parameters();
        for (Tensor t : trained) t.zeroGrad();
        Map<String, Double> last;
        TrainLoop loop = new TrainLoop(args, task, trained, null);
        try (ProgressDisplay progress = ProgressDisplay.open("dpo", loop.totalSteps(), 0)) {
            loop = new TrainLoop(args, task, trained, (step, total, l, tokens) -> progress.update(step, tokens, l));
            long start = System.nanoTime();
            last = loop.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf("dpo: train_runtime %.1f s, %.2f s/step%n", seconds, seconds / loop.totalSteps());
        } catch (TrainLoop.TrainingDiverged e) {
            throw new InputException(e.getMessage());
        }
        for (Tensor t : trained) t.freeze();
        if (lora != null) {
            PeftAdapter.save(args.outputDir(), lora, baseDir.toString());
        } else {
            HfModel.save(args.outputDir(), lm.config(), lm.tensors(), lm.layout());
        }
        HfModel.copyTokenizerFiles(data.tokenizer != null ? data.tokenizer : tokenizerDir, args.outputDir());
        if (evalPairs != null) EvalOptions.writeResults(args.outputDir(), last);
        System.err.printf("dpo: %s saved to %s (peak RSS %.0f MiB, peak heap %.0f MiB)%n", lora != null ? "PEFT adapter" : "model",
                args.outputDir(), RssProbe.peakRssMb(), RssProbe.peakHeapMb());
        return 0;
    }

    private static void report(String what, DataOptions.Loaded l) {
        System.err.println("dpo: " + what + ": " + l.report());
    }

    private static PairLogps.Result zeros(int n) {
        return new PairLogps.Result(new double[n], new double[n]);
    }
}
