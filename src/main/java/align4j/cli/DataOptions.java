package align4j.cli;

import align4j.InputException;
import align4j.data.ColumnMapping;
import align4j.data.ListwiseData;
import align4j.data.Pairing;
import align4j.data.PreferenceData;
import align4j.data.Truncation;
import align4j.data.UnpairedData;
import align4j.io.HubCache;
import align4j.text.ChatTemplateKwargs;
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
    @Option(names = "--chat-template-kwargs", paramLabel = "NAME=VALUE,...",
            description = "Keyword arguments for the chat template (TRL's chat_template_kwargs), e.g. enable_thinking=false for Qwen3.")
    String chatTemplateKwargs;

    PreferenceData.Settings settings() {
        return new PreferenceData.Settings(columns == null ? ColumnMapping.IDENTITY : ColumnMapping.parse(columns),
                Pairing.parse(pairing), maxLength, maxPromptLength, Truncation.Mode.parse(truncationMode));
    }

    /** Loads file; modelDir supplies the tokenizer when --tokenizer is absent; ids are checked against vocab. */
    PreferenceData load(Path file, Path modelDir, int vocab) {
        PreferenceData.Settings settings = settings();
        return withTokenizer(modelDir, vocab, tok -> PreferenceData.load(file, settings, tok, vocab));
    }

    /** Loads file as unpaired (KTO) examples, a paired file split as TRL splits it; otherwise as {@link #load}. */
    UnpairedData loadUnpaired(Path file, Path modelDir, int vocab) {
        PreferenceData.Settings settings = settings();
        return withTokenizer(modelDir, vocab, tok -> UnpairedData.load(file, settings, tok, vocab));
    }

    /** Loads file as rankings (listwise training: --loss-type plackett_luce), as {@link #load} reads pairs. */
    ListwiseData loadLists(Path file, Path modelDir, int vocab) {
        PreferenceData.Settings settings = settings();
        return withTokenizer(modelDir, vocab, tok -> ListwiseData.load(file, settings, tok, vocab));
    }

    /** Runs read with the tokenizer of --tokenizer or modelDir (null when there is none), checked against vocab. */
    private <T> T withTokenizer(Path modelDir, int vocab, java.util.function.Function<Tokenizer, T> read) {
        Path tokDir = tokenizer != null ? tokenizer : HubCache.resolve(modelDir);
        Tokenizer tok = tokDir != null && Files.isRegularFile(tokDir.resolve("tokenizer.json")) ? Tokenizer.load(tokDir) : null;
        if (tok != null) tok.setChatTemplateKwargs(ChatTemplateKwargs.parse(chatTemplateKwargs));
        if (tokenizer != null && tok == null) throw new InputException(tokenizer + ": no tokenizer.json in this folder");
        try {
            if (tok != null && tok.vocabSize() > vocab) {
                throw new InputException(tokDir + ": the tokenizer has " + tok.vocabSize() + " tokens but the model's vocab_size is "
                        + vocab + "; this tokenizer does not fit the model");
            }
            return read.apply(tok);
        } finally {
            if (tok != null) tok.close();
        }
    }
}
