package align4j.cli;

import align4j.api.Policy;
import align4j.data.PreferenceData;
import align4j.io.JsonLines;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code align4j logps}: for each preference record, the summed log-probability of the chosen and of the rejected
 * completion given its prompt ({@link Policy#logps}; docs/DESIGN.md#cli-contracts). Pre-tokenized records are used
 * exactly as given.
 */
@Command(name = "logps", description = {"Summed log-probs of chosen and rejected completions under a model.",
        "Each preference record of --data is written to --out with chosen_logps and rejected_logps."})
final class LogpsCommand implements Callable<Integer> {
    @Mixin
    DataToolOptions tool;

    @Override
    public Integer call() throws Exception {
        tool.threads.apply();
        Policy policy = Policy.load(tool.model);
        PreferenceData loaded = tool.dataOptions.load(tool.data, tool.model, policy.config().vocabSize());
        PairLogps.Result r = policy.logps(loaded.pairs(), Math.max(1, tool.batchSize));
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < loaded.pairs().size(); i++) {
            records.add(loaded.records().get(i).deepCopy().put("chosen_logps", r.chosen()[i]).put("rejected_logps", r.rejected()[i]));
        }
        JsonLines.write(tool.out, records);
        System.err.printf("logps: %d records → %s%n", records.size(), tool.out);
        return 0;
    }
}
