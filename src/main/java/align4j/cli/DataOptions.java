package align4j.cli;

import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.Pairing;
import align4j.data.PreferenceDataset;
import align4j.data.PreferenceExample;
import align4j.data.Truncation;
import align4j.text.Tokenizer;
import align4j.data.Pairs;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How a preference dataset is read and tokenized (shared by dpo, logps, reward…). */
final class DataOptions {
    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the model's folder).")
    Path tokenizer;
    @Option(names = "--dataset-columns", paramLabel = "MAP", description = "Field names of your data, e.g. prompt=question,chosen=good,rejected=bad.")
    String columns;
    @Option(names = "--pairing", defaultValue = "all_pairs", description = "Pointwise/listwise data to pairs: all_pairs or best_vs_worst (default ${DEFAULT-VALUE}).")
    String pairing;
    @Option(names = "--max-length", defaultValue = "0", description = "Truncate prompt+completion to this many tokens (0: no limit).")
    int maxLength;
    @Option(names = "--max-prompt-length", defaultValue = "0", description = "Truncate prompts to this many tokens (0: no limit).")
    int maxPromptLength;
    @Option(names = "--truncation-mode", defaultValue = "keep_end", description = "keep_end or keep_start (default ${DEFAULT-VALUE}).")
    String truncationMode;

    /** Tokenized pairs, the original records (for writing back), and the load report. */
    record Loaded(Pairs pairs, List<ObjectNode> records, PreferenceDataset.Report report) {}

    /** Loads file; modelDir supplies the tokenizer when --tokenizer is absent; ids are checked against vocab. */
    Loaded load(Path file, Path modelDir, int vocab) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        Path tokDir = tokenizer != null ? tokenizer : modelDir;
        Tokenizer tok = tokDir != null && Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        if (tok != null && tok.vocabSize() > vocab) {
            throw new InputException(tokDir + ": the tokenizer has " + tok.vocabSize() + " tokens but the model's vocab_size is "
                    + vocab + "; this tokenizer does not fit the model");
        }
        Pairing p = switch (pairing.toLowerCase(java.util.Locale.ROOT)) {
            case "all_pairs", "all-pairs" -> Pairing.ALL_PAIRS;
            case "best_vs_worst", "best-vs-worst" -> Pairing.BEST_VS_WORST;
            default -> throw new InputException("--pairing must be all_pairs or best_vs_worst, got '" + pairing + "'");
        };
        Truncation trunc = maxLength <= 0 && maxPromptLength <= 0 ? Truncation.NONE
                : new Truncation(maxLength, maxPromptLength, Truncation.Mode.parse(truncationMode));
        PreferenceDataset ds = PreferenceDataset.load(file, columns == null ? ColumnMapping.IDENTITY : ColumnMapping.parse(columns),
                p, tok, trunc);
        if (tok != null) tok.close();
        List<PreferenceExample> ex = ds.examples();
        int n = ex.size();
        if (n == 0) throw new InputException(file + ": no usable preference pairs (" + ds.report() + ")");
        int[][] pr = new int[n][], ch = new int[n][], rj = new int[n][];
        String[] src = new String[n];
        List<ObjectNode> recs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PreferenceExample e = ex.get(i);
            e.checkVocabulary(vocab);
            pr[i] = e.prompt();
            ch[i] = e.chosen();
            rj[i] = e.rejected();
            src[i] = e.source();
            recs.add(e.record());
        }
        return new Loaded(new Pairs(pr, ch, rj, src), recs, ds.report());
    }
}
