package align4j.cli;

import align4j.InputException;
import align4j.api.Scoring;
import align4j.io.JsonLines;
import align4j.io.RewardModelFolder;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j score}: a reward model's score of each record ({@link Scoring}): prompt/completion records or preference pairs. */
@Command(name = "score", description = "Score prompt/completion records or preference pairs with a reward model.")
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Reward model folder (sequence classification, num_labels 1).")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Records to score (JSONL[.gz], JSON, Parquet).")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: each record plus score (or chosen_score, rejected_score).")
    Path out;
    @Option(names = "--batch-size", defaultValue = "8", description = "Sequences (pairs) per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (batchSize < 1) throw new InputException("--batch-size must be ≥ 1, got " + batchSize);
        if (!Files.exists(data)) throw new InputException(data + ": no such file");
        RewardModel rm = RewardModelFolder.load(model).scoreBatchSize(batchSize);
        List<ObjectNode> records;
        if (Scoring.isPreferenceData(data, dataOptions.settings().columns())) {
            records = Scoring.pairs(rm, dataOptions.load(data, model, rm.config().vocabSize()));
        } else {
            Path tokDir = dataOptions.tokenizer != null ? dataOptions.tokenizer : model;
            try (Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null) {
                records = Scoring.completions(rm, data, dataOptions.settings().columns(), tok, dataOptions.maxLength);
            }
        }
        JsonLines.write(out, records);
        System.err.printf("score: %d records → %s%n", records.size(), out);
        return 0;
    }
}
