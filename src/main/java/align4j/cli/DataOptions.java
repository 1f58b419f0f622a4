package align4j.cli;

import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.Pairing;
import align4j.data.PreferenceData;
import align4j.data.Truncation;
import align4j.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a preference dataset is read and tokenized (shared by dpo, logps, reward…): flags of {@link PreferenceData.Settings}. */
final class DataOptions {
    private static final PreferenceData.Settings DEFAULTS = PreferenceData.Settings.defaults();

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Folder with tokenizer.json (default: the model's folder).")
    Path tokenizer;
    @Option(names = "--dataset-columns", paramLabel = "MAP", description = "Field names of your data, e.g. prompt=question,chosen=good,rejected=bad.")
    String columns;
    @Option(names = "--pairing", description = "Pointwise/listwise data to pairs: all_pairs or best_vs_worst (default ${DEFAULT-VALUE}).")
    String pairing = DEFAULTS.pairing().label();
    @Option(names = "--max-length", description = "Truncate prompt+completion to this many tokens (0: no limit).")
    int maxLength = DEFAULTS.maxLength();
    @Option(names = "--max-prompt-length", description = "Truncate prompts to this many tokens (0: no limit).")
    int maxPromptLength = DEFAULTS.maxPromptLength();
    @Option(names = "--truncation-mode", description = "keep_end or keep_start (default ${DEFAULT-VALUE}).")
    String truncationMode = DEFAULTS.truncationMode().name().toLowerCase(java.util.Locale.ROOT);

    PreferenceData.Settings settings() {
        return new PreferenceData.Settings(columns == null ? ColumnMapping.IDENTITY : ColumnMapping.parse(columns),
                Pairing.parse(pairing), maxLength, maxPromptLength, Truncation.Mode.parse(truncationMode));
    }

    /** Loads file; modelDir supplies the tokenizer when --tokenizer is absent; ids are checked against vocab. */
    PreferenceData load(Path file, Path modelDir, int vocab) {
        PreferenceData.Settings settings = settings();
        Path tokDir = tokenizer != null ? tokenizer : modelDir;
        Tokenizer tok = tokDir != null && Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        try {
            if (tok != null && tok.vocabSize() > vocab) {
                throw new InputException(tokDir + ": the tokenizer has " + tok.vocabSize() + " tokens but the model's vocab_size is "
                        + vocab + "; this tokenizer does not fit the model");
            }
            return PreferenceData.load(file, settings, tok, vocab);
        } finally {
            if (tok != null) tok.close();
        }
    }
}
