package align4j.cli;

import align4j.InputException;
import align4j.api.Policy;
import align4j.api.Sft;
import align4j.api.TrainResult;
import align4j.data.ColumnMapping;
import align4j.data.SequenceDataset;
import align4j.data.SequenceExample;
import align4j.text.Tokenizer;
import align4j.train.TrainingArgs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j sft}: flags → {@link Sft#train} (TRL SFTTrainer) on text, prompt/completion or conversational data. */
@Command(name = "sft", description = "Supervised fine-tuning (TRL SFTTrainer) on text, prompt/completion or messages data.")
final class SftCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        TrainingArgs args = training.toArgs(Sft.LEARNING_RATE);
        Policy policy = modelOptions.policy(model, tokenizer, args.seed());
        List<SequenceExample> train = load(policy, dataset), eval = null;
        if (evalOptions.evalDataset != null) {
            eval = load(policy, evalOptions.evalDataset);
        } else if (evalOptions.holdsOut()) {
            int[][] idx = evalOptions.split(train.size(), args.seed());
            List<SequenceExample> all = train;
            train = new ArrayList<>();
            eval = new ArrayList<>();
            for (int i : idx[0]) train.add(all.get(i));
            for (int i : idx[1]) eval.add(all.get(i));
        }
        TrainResult result = Sft.train(policy, args, train, eval);
        TrainingOptions.save("sft", policy, args, result, eval != null);
        return 0;
    }

    private List<SequenceExample> load(Policy policy, Path file) {
        Tokenizer tok = policy.tokenizer();
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        return SequenceDataset.forTraining("sft", file, new ColumnMapping(Map.of("text", datasetTextField)), tok,
                new SequenceDataset.LossOptions(completionOnlyLoss, assistantOnlyLoss), maxLength, policy.config().vocabSize());
    }
}
