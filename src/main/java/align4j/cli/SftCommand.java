package align4j.cli;

import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.DatasetException;
import align4j.data.SequenceDataset;
import align4j.data.SequenceExample;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.model.Lora;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import align4j.train.ProgressDisplay;
import align4j.train.SftTask;
import align4j.train.Stats;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
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
 * {@code align4j sft}: supervised fine-tuning as TRL's SFTTrainer (sft_trainer.py, sft_config.py) does it on
 * text, prompt/completion and conversational data; the usual way to make the reference policy before DPO.
 */
@Command(name = "sft", description = "Supervised fine-tuning (TRL SFTTrainer) on text, prompt/completion or messages data.")
final class SftCommand implements Callable<Integer> {
    /** TRL SFTConfig's learning_rate default. */
    static final double DEFAULT_LEARNING_RATE = 2e-5;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder, or a PEFT adapter folder to keep training on the base it names.")
    Path model;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training data (JSONL[.gz], JSON, Parquet): text, prompt+completion, messages, or input_ids.")
    Path dataset;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the model's folder).")
    Path tokenizer;
    @Option(names = "--dataset-text-field", defaultValue = "text", description = "Field of language-modelling text (default ${DEFAULT-VALUE}).")
    String datasetTextField;
    @Option(names = "--max-length", defaultValue = "1024", description = "Truncate sequences to this many tokens (≤ 0: no limit; default ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--completion-only-loss", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Prompt/completion data: loss on completion tokens only (default ${DEFAULT-VALUE}); false: on all tokens.")
    boolean completionOnlyLoss;
    @Option(names = "--assistant-only-loss", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "Messages data: loss on assistant turns only (default ${DEFAULT-VALUE}).")
    boolean assistantOnlyLoss;
    @Mixin
    EvalOptions evalOptions;
    @Mixin
    TrainingOptions training;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    ThreadsOption threadsOption;
    @Spec
    CommandSpec spec;
    /** Where the tokenizer is read from: --tokenizer, else the adapter folder's or the model's. */
    private Path tokenizerDir;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--learning-rate")) training.learningRate = DEFAULT_LEARNING_RATE;
        TrainingArgs args = training.toArgs();
        // --model may be a PEFT adapter folder: keep training it on the base it names
        ModelOptions.Folders folders = ModelOptions.Folders.of(model, tokenizer);
        Path adapterDir = folders.adapter(), baseDir = folders.base();
        tokenizerDir = folders.tokenizer();
        LoadedModel lm = HfModel.load(baseDir);
        Transformer policy = new Transformer(lm.config(), lm.tensors());
        if (policy.head() == null) throw new InputException(baseDir + ": this model has no LM head (a reward model?); sft needs a language model");
        Lora lora = modelOptions.apply(policy, adapterDir, args.seed());
        List<SequenceExample> train = load(dataset, lm.config().vocabSize()), eval = null;
        if (evalOptions.evalDataset != null) {
            eval = load(evalOptions.evalDataset, lm.config().vocabSize());
        } else if (evalOptions.holdsOut()) {
            int[][] idx = evalOptions.split(train.size(), args.seed());
            List<SequenceExample> all = train;
            train = new ArrayList<>();
            eval = new ArrayList<>();
            for (int i : idx[0]) train.add(all.get(i));
            for (int i : idx[1]) eval.add(all.get(i));
        }
        Files.createDirectories(args.outputDir());
        SftTask task = new SftTask(policy, train, eval, args.evalBatchSize());
        // with PEFT only the adapters train (and are checkpointed with their AdamW state); the base stays frozen
        List<Tensor> trained = lora != null ? lora.parameters() : policy.parameters();
        for (Tensor t : trained) t.zeroGrad();
        Map<String, Double> last;
        TrainLoop loop = new TrainLoop(args, task, trained, null);
        try (ProgressDisplay progress = ProgressDisplay.open("sft", loop.totalSteps(), 0)) {
            loop = new TrainLoop(args, task, trained, (step, total, l, tokens) -> progress.update(step, tokens, l));
            last = loop.run();
        } catch (TrainLoop.TrainingDiverged e) {
            throw new InputException(e.getMessage());
        }
        for (Tensor t : trained) t.freeze();
        if (lora != null) {
            PeftAdapter.save(args.outputDir(), lora, baseDir.toString());
        } else {
            HfModel.save(args.outputDir(), lm.config(), lm.tensors(), lm.layout());
        }
        HfModel.copyTokenizerFiles(tokenizerDir, args.outputDir());
        if (eval != null) EvalOptions.writeResults(args.outputDir(), last);
        System.err.println("sft: " + (lora != null ? "PEFT adapter" : "model") + " saved to " + args.outputDir());
        return 0;
    }

    private List<SequenceExample> load(Path file, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        Path tokDir = tokenizerDir;
        Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        List<SequenceExample> ex;
        try {
            ColumnMapping cols = new ColumnMapping(Map.of("text", datasetTextField));
            ex = SequenceDataset.load(file, cols, tok, new SequenceDataset.LossOptions(completionOnlyLoss, assistantOnlyLoss), maxLength);
        } finally {
            if (tok != null) tok.close();
        }
        long tokens = 0, lossTokens = 0;
        int empty = 0;
        List<SequenceExample> kept = new ArrayList<>(ex.size());
        for (SequenceExample e : ex) {
            for (int id : e.ids()) {
                if (id >= vocab) {
                    throw new DatasetException(align4j.data.RecordLocation.parse(e.source()), null, "token id " + id
                            + " is outside the model's vocabulary (" + vocab + ")");
                }
            }
            tokens += e.ids().length;
            lossTokens += e.lossTokens();
            if (e.lossTokens() > 0) kept.add(e);
            else empty++;
        }
        if (ex.isEmpty()) throw new InputException(file + ": no records");
        if (lossTokens == 0) throw new InputException(file + ": no loss tokens (empty completions, or everything truncated by --max-length)");
        System.err.printf("sft: %s: %d sequences, %d tokens, %d loss tokens; %d without loss tokens skipped%n", file,
                kept.size(), tokens, lossTokens, empty);
        return kept;
    }
}
