package align4j.cli;

import align4j.data.PreferenceData;
import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.DatasetReader;
import align4j.data.SequenceDataset;
import align4j.data.SequenceExample;
import align4j.io.RewardModelFolder;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import align4j.data.Pairs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j score}: a reward model's score of each record. Prompt/completion records ({@code prompt} +
 * {@code completion}, text or messages, or {@code prompt_input_ids} + {@code completion_input_ids}) get
 * {@code score}; preference records (any shape {@code align4j dpo} reads) get {@code chosen_score} and
 * {@code rejected_score}. Text is tokenized as for training (EOS appended to completions).
 */
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
        int vocab = rm.config().vocabSize();
        List<ObjectNode> records = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        if (isPreferenceData()) {
            PreferenceData l = dataOptions.load(data, model, vocab);
            Pairs p = l.pairs();
            RewardModel.PairScores s = rm.scorePairs(List.of(p.prompts()), List.of(p.chosen()), List.of(p.rejected()));
            for (int i = 0; i < p.size(); i++) {
                ObjectNode r = l.records().get(i).deepCopy();
                r.put("chosen_score", s.chosen()[i]);
                r.put("rejected_score", s.rejected()[i]);
                records.add(r);
            }
        } else {
            List<SequenceExample> ex = loadCompletions(vocab);
            List<int[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
            for (SequenceExample e : ex) {
                if (e.ids().length == 0) throw new InputException(e.source() + ": empty sequence, nothing to score");
                prompts.add(e.prompt());
                completions.add(e.completion());
            }
            double[] s = rm.score(prompts, completions);
            for (int i = 0; i < ex.size(); i++) {
                ObjectNode r = ex.get(i).record().deepCopy();
                r.put("score", s[i]);
                records.add(r);
            }
        }
        ObjectMapper om = new ObjectMapper();
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(out)) {
            for (ObjectNode r : records) {
                w.write(om.writeValueAsString(r));
                w.newLine();
            }
        }
        System.err.printf("score: %d records → %s%n", records.size(), out);
        return 0;
    }

    /** Preference data has chosen/rejected (or their ids) or listwise completions; other records are single completions. */
    private boolean isPreferenceData() {
        ColumnMapping cols = dataOptions.columns == null ? ColumnMapping.IDENTITY : ColumnMapping.parse(dataOptions.columns);
        var first = DatasetReader.read(data).stream().findFirst();
        if (first.isEmpty()) throw new InputException(data + ": no records");
        ObjectNode o = first.get().json();
        // prompt/completion records are scored one by one even when they carry a "score" (e.g. from an earlier run)
        return o.has(cols.column("chosen")) || o.has(cols.column("chosen_input_ids")) || o.has(cols.column("completions"));
    }

    private List<SequenceExample> loadCompletions(int vocab) {
        Path tokDir = dataOptions.tokenizer != null ? dataOptions.tokenizer : model;
        Tokenizer tok = Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        try {
            ColumnMapping cols = dataOptions.columns == null ? ColumnMapping.IDENTITY : ColumnMapping.parse(dataOptions.columns);
            List<SequenceExample> ex = SequenceDataset.load(data, cols, tok, new SequenceDataset.LossOptions(true, false),
                    dataOptions.maxLength);
            for (SequenceExample e : ex) {
                for (int id : e.ids()) {
                    if (id >= vocab) throw new InputException(e.source() + ": token id " + id + " is outside the model's vocabulary (" + vocab + ")");
                }
            }
            return ex;
        } finally {
            if (tok != null) tok.close();
        }
    }
}
