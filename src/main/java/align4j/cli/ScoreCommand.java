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
@Command(name = "score", description = {"Score prompt/completion records or preference pairs with a reward model.",
        "Each record of --data is written to --out with score (or chosen_score and rejected_score)."})
final class ScoreCommand implements Callable<Integer> {
    @Mixin
    DataToolOptions tool;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;

    @Override
    public Integer call() throws Exception {
        tool.threads.apply();
        if (tool.batchSize < 1) throw new InputException("--batch-size must be ≥ 1, got " + tool.batchSize);
        if (!Files.exists(tool.data)) throw new InputException(tool.data + ": no such file");
        RewardModel rm = RewardModelFolder.load(tool.model).scoreBatchSize(tool.batchSize);
        DataOptions d = tool.dataOptions;
        List<ObjectNode> records;
        if (Scoring.isPreferenceData(tool.data, d.settings().columns())) {
            records = Scoring.pairs(rm, d.load(tool.data, tool.model, rm.config().vocabSize()));
        } else {
            Path tokDir = d.tokenizer != null ? d.tokenizer : align4j.io.HubCache.resolve(tool.model);
            try (Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null) {
                if (tok != null) tok.setChatTemplateKwargs(align4j.text.ChatTemplateKwargs.parse(d.chatTemplateKwargs));
                records = Scoring.completions(rm, tool.data, d.settings().columns(), tok, d.maxLength);
            }
        }
        JsonLines.write(tool.out, records);
        System.err.printf("score: %d records → %s%n", records.size(), tool.out);
        return 0;
    }
}
