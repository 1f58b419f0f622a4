package align4j.cli;

import align4j.api.Policy;
import align4j.data.PreferenceData;
import align4j.io.JsonLines;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j logps}: for each preference record, the summed log-probability of the chosen and of the rejected
 * completion given its prompt ({@link Policy#logps}; docs/DESIGN.md#cli-contracts). Pre-tokenized records are used
 * exactly as given.
 */
@Command(name = "logps", description = "Summed log-probs of chosen and rejected completions under a model.")
final class LogpsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference records (JSONL, JSON, Parquet).")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: each record plus chosen_logps and rejected_logps.")
    Path out;
    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        Policy policy = Policy.load(model);
        PreferenceData loaded = dataOptions.load(data, model, policy.config().vocabSize());
        PairLogps.Result r = policy.logps(loaded.pairs(), Math.max(1, batchSize));
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < loaded.pairs().size(); i++) {
            ObjectNode rec = loaded.records().get(i).deepCopy();
            rec.put("chosen_logps", r.chosen()[i]);
            rec.put("rejected_logps", r.rejected()[i]);
            records.add(rec);
        }
        JsonLines.write(out, records);
        System.err.printf("logps: %d records → %s%n", records.size(), out);
        return 0;
    }
}
