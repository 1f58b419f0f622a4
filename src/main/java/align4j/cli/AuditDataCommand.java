package align4j.cli;

import align4j.InputException;
import align4j.api.DataAudit;
import align4j.io.AtomicWrite;
import align4j.io.HubCache;
import align4j.io.RewardModelFolder;
import align4j.model.RewardModel;
import align4j.text.ChatTemplateKwargs;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j audit-data}: what silently hurts a preference run, found before training ({@link DataAudit}: the
 * data's findings and, with a reward model, a label-noise estimate). Text report on stdout, JSON with --out.
 */
@Command(name = "audit-data", description = {"Audit a preference dataset before training: length bias, truncation, missing EOS,",
        "duplicate and identical pairs, prompt leaks, chat-template boundary mismatches, label noise against a reward model."})
final class AuditDataCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder whose tokenizer the data is audited with.")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Preference records (JSONL[.gz], JSON, Parquet).")
    Path data;
    @Option(names = "--reward-model", paramLabel = "DIR", description = "Reward model folder: estimate label noise (pairs it orders the other way).")
    Path rewardModel;
    @Option(names = "--out", paramLabel = "FILE", description = "Also write the report as JSON here.")
    Path out;
    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs per reward-model forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    ThreadsOption threads;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        if (batchSize < 1) throw new InputException("--batch-size must be ≥ 1, got " + batchSize);
        if (!Files.exists(data)) throw new InputException(data + ": no such file");
        Path tokDir = dataOptions.tokenizer != null ? dataOptions.tokenizer : HubCache.resolve(model);
        RewardModel rm = null;
        if (rewardModel != null) {
            if (!Files.isDirectory(rewardModel)) throw new InputException(rewardModel + ": no such reward model folder");
            rm = RewardModelFolder.load(rewardModel).scoreBatchSize(batchSize);
        }
        DataAudit.Report report;
        try (Tokenizer tok = tokenizer(tokDir, dataOptions.tokenizer != null);
             Tokenizer rmTok = rm == null ? null : tokenizer(rewardModel, false)) {
            report = DataAudit.run(data, dataOptions.settings(), tok, rm, rmTok);
        }
        System.out.print(report.toText());
        if (out != null) {
            byte[] bytes = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson())
                    .getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(out, bytes);
            System.err.printf("audit-data: report → %s%n", out);
        }
        return 0;
    }

    /** The tokenizer in dir, or null (pre-tokenized data only) when dir has none and it was not asked for by --tokenizer. */
    private Tokenizer tokenizer(Path dir, boolean required) {
        if (dir == null || !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            if (required) throw new InputException(dir + ": no tokenizer.json in this folder");
            return null;
        }
        Tokenizer tok = Tokenizer.load(dir);
        tok.setChatTemplateKwargs(ChatTemplateKwargs.parse(dataOptions.chatTemplateKwargs));
        return tok;
    }
}
