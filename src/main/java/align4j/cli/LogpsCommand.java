package align4j.cli;

import align4j.io.HfModel;
import align4j.model.Transformer;
import align4j.train.PairLogps;
import align4j.data.Pairs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j logps}: the summed log-probability of each record's chosen and rejected completion given
 * its prompt (DESIGN.md CLI contract). Pre-tokenized records are used exactly as given.
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
        align4j.io.LoadedModel m = HfModel.load(model);
        Transformer t = new Transformer(m.config(), m.tensors());
        DataOptions.Loaded loaded = dataOptions.load(data, model, m.config().vocabSize());
        Pairs pairs = loaded.pairs();
        PairLogps.Result r = PairLogps.compute(t, pairs.prompts(), pairs.chosen(), pairs.rejected(),
                Math.max(1, batchSize), 16384, null);
        ObjectMapper om = new ObjectMapper();
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(out)) {
            for (int i = 0; i < pairs.size(); i++) {
                ObjectNode rec = loaded.records().get(i).deepCopy();
                rec.put("chosen_logps", r.chosen()[i]);
                rec.put("rejected_logps", r.rejected()[i]);
                w.write(om.writeValueAsString(rec));
                w.newLine();
            }
        }
        System.err.printf("logps: %d records → %s%n", pairs.size(), out);
        return 0;
    }
}
