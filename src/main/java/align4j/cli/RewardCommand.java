package align4j.cli;

import align4j.data.PreferenceData;
import align4j.InputException;
import align4j.io.DType;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.RewardModelFolder;
import align4j.io.SequenceClassification;
import align4j.loss.BradleyTerryLoss;
import align4j.model.Lora;
import align4j.model.RewardModel;
import align4j.tensor.Tensor;
import align4j.data.Pairs;
import align4j.train.ProgressDisplay;
import align4j.train.RewardTask;
import align4j.train.Stats;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code align4j reward}: trains a Bradley–Terry reward model as TRL's RewardTrainer does (reward_trainer.py,
 * reward_config.py): the backbone of --model plus a score head read at each sequence's last token, the loss
 * −log σ(r_c − r_r − margin) + center_rewards_coefficient·mean((r_c + r_r)²), TRL's metric names. The output
 * folder is Hugging Face's *ForSequenceClassification layout (num_labels = 1), which {@code align4j score},
 * {@link RewardModelFolder#load} and transformers' AutoModelForSequenceClassification load.
 */
@Command(name = "reward", description = "Train a reward model (Bradley–Terry, TRL RewardTrainer) on preference pairs.")
final class RewardCommand implements Callable<Integer> {
    /** TRL RewardConfig's learning_rate default. */
    static final double DEFAULT_LEARNING_RATE = 1e-4;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder: a language model (a fresh score head is added) or a reward model to train further; or a reward model's PEFT adapter folder to train further.")
    Path model;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training preference data (JSONL[.gz], JSON, Parquet); an optional numeric 'margin' field per pair.")
    Path dataset;
    @Option(names = "--eval-only", description = "Evaluate the model (no training) and write eval_results.json.")
    boolean evalOnly;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--center-rewards-coefficient", defaultValue = "0", description = "Weight of mean((r_c + r_r)²), reward centering (TRL default None = 0; 0.01 recommended).")
    double centerRewardsCoefficient;
    @Option(names = "--margin-column", defaultValue = "margin", paramLabel = "NAME", description = "Record field holding the per-pair margin, used when present (default ${DEFAULT-VALUE}).")
    String marginColumn;
    @Option(names = "--disable-dropout", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Accepted for TRL compatibility: align4j models have no dropout.")
    boolean disableDropout;
    @Mixin
    EvalOptions evalOptions;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    DataOptions data;
    @Mixin
    ThreadsOption threadsOption;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--learning-rate")) training.learningRate = DEFAULT_LEARNING_RATE;
        TrainingArgs args = training.toArgs();
        BradleyTerryLoss loss;
        try {
            loss = new BradleyTerryLoss(centerRewardsCoefficient);
        } catch (IllegalArgumentException e) {
            throw new InputException("--center-rewards-coefficient: " + e.getMessage());
        }
        // --model may be a reward model's PEFT adapter folder: keep training it on the base it names
        ModelOptions.Folders folders = ModelOptions.Folders.of(model, data.tokenizer);
        PeftAdapter.Loaded adapter = folders.adapter() == null ? null : PeftAdapter.load(folders.adapter());
        if (adapter != null && !adapter.sequenceClassification()) {
            throw new InputException(folders.adapter() + ": a language model's adapter (task_type CAUSAL_LM); reward trains a"
                    + " reward model's (SEQ_CLS), or give the base model and --use-peft");
        }
        RewardModel rm = open(folders);
        Lora lora = modelOptions.apply(rm.backbone(), adapter, args.seed());
        if (adapter != null) System.arraycopy(adapter.score().data, 0, rm.head().weight().data, 0, rm.config().hidden());
        int vocab = rm.config().vocabSize();
        PreferenceData train = data.load(dataset, folders.tokenizer(), vocab);
        System.err.println("reward: dataset: " + train.report());
        Pairs trainPairs = train.pairs(), evalPairs = null;
        double[] trainMargin = margins(train), evalMargin = null;
        if (evalOptions.evalDataset != null) {
            PreferenceData ev = data.load(evalOptions.evalDataset, folders.tokenizer(), vocab);
            System.err.println("reward: eval dataset: " + ev.report());
            evalPairs = ev.pairs();
            evalMargin = margins(ev);
        } else if (evalOptions.holdsOut()) {
            int[][] idx = evalOptions.split(trainPairs.size(), args.seed());
            evalPairs = trainPairs.select(idx[1]);
            evalMargin = Pairs.pick(trainMargin, idx[1]);
            trainPairs = trainPairs.select(idx[0]);
            trainMargin = Pairs.pick(trainMargin, idx[0]);
        }
        Files.createDirectories(args.outputDir());
        RewardTask task = new RewardTask(rm, loss, trainPairs, trainMargin, evalPairs, evalMargin, args.evalBatchSize());
        if (evalOnly) {
            Stats s = evalPairs != null ? task.evaluate() : task.evaluate(trainPairs, trainMargin, args.evalBatchSize());
            Map<String, Double> m = s.means("eval_");
            EvalOptions.writeResults(args.outputDir(), m);
            m.forEach((k, v) -> System.out.printf("%-28s %.6f%n", k, v));
            return 0;
        }
        // with PEFT the adapters and the score head train (PEFT's modules_to_save for SEQ_CLS); the backbone stays frozen
        List<Tensor> params = rm.parameters();
        if (lora != null) {
            params = new ArrayList<>(lora.parameters());
            params.add(rm.head().weight());
        }
        for (Tensor t : params) t.zeroGrad();
        Map<String, Double> last;
        TrainLoop loop = new TrainLoop(args, task, params, null);
        try (ProgressDisplay progress = ProgressDisplay.open("reward", loop.totalSteps(), 0)) {
            loop = new TrainLoop(args, task, params, (step, total, l, tokens) -> progress.update(step, tokens, l));
            last = loop.run();
        } catch (TrainLoop.TrainingDiverged e) {
            throw new InputException(e.getMessage());
        }
        for (Tensor t : params) t.freeze();
        if (lora != null) {
            PeftAdapter.save(args.outputDir(), lora, folders.base().toString(), rm.head().weight());
        } else {
            RewardModelFolder.save(args.outputDir(), rm, baseDType);
        }
        HfModel.copyTokenizerFiles(folders.tokenizer(), args.outputDir());
        if (evalPairs != null) EvalOptions.writeResults(args.outputDir(), last);
        System.err.println("reward: " + (lora != null ? "PEFT adapter" : "model") + " saved to " + args.outputDir());
        return 0;
    }

    /**
     * The base as a reward model: a reward model folder as it is; a language model with its LM head replaced by a
     * fresh score head and the tokenizer's pad id ({@link RewardModelFolder#padTokenId(Path, align4j.model.ModelConfig)}); notes the base's dtype, the one saved.
     */
    /** The dtype of the base folder's weights ({@link #open}): the full model is saved in it. */
    private DType baseDType = DType.F32;

    private RewardModel open(ModelOptions.Folders folders) throws IOException {
        LoadedModel lm = HfModel.load(folders.base());
        baseDType = lm.layout().dtype();
        boolean classifier = SequenceClassification.isClassifier(lm.config());
        return RewardModelFolder.open(lm, folders.base(), classifier ? -1 : RewardModelFolder.padTokenId(folders.tokenizer(), lm.config()), training.seed);
    }

    /** The per-pair margin column, or null when no record has it; a record without it (or non-numeric) is an error. */
    private double[] margins(PreferenceData l) {
        List<ObjectNode> recs = l.records();
        boolean any = recs.stream().anyMatch(r -> r.has(marginColumn));
        if (!any) return null;
        double[] m = new double[recs.size()];
        for (int i = 0; i < m.length; i++) {
            JsonNode v = recs.get(i).get(marginColumn);
            if (v == null || !v.isNumber()) {
                throw new InputException(l.pairs().sources()[i] + ": field '" + marginColumn + "' must be a number in every record"
                        + " when any record has it, got " + (v == null ? "nothing" : v.toString()));
            }
            m[i] = v.asDouble();
        }
        return m;
    }

}
