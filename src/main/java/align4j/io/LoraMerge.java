package align4j.io;

import align4j.model.Lora;
import align4j.model.RewardModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PEFT's {@code merge_and_unload} on disk ({@code align4j merge-lora}): W ← W + (α/r)·B·A for every adapted
 * module, written as an ordinary Hugging Face model folder (the base's tensor names, dtypes and shards). A reward
 * model's adapter (task_type SEQ_CLS) becomes a reward model folder ({@link RewardModelFolder#loadAdapter}).
 */
public final class LoraMerge {
    private LoraMerge() {}

    /**
     * What was merged.
     *
     * @param base      the base model folder
     * @param adapter   the adapter as read
     */
    public record Merged(Path base, PeftAdapter.Loaded adapter) {
        /** One line for the log: the adapters, r, alpha, the base and whether a score head came along. */
        public String describe(Path outputDir) {
            return adapter.tensors().size() / 2 + " adapters (r " + adapter.config().r() + ", alpha " + adapter.config().alpha()
                    + ") merged into " + base + (adapter.sequenceClassification() ? " with the adapter's score head" : "")
                    + "; saved to " + outputDir;
        }
    }

    /**
     * Merges the adapter folder into base (null: the adapter's base_model_name_or_path) and saves the result with
     * the tokenizer files (the adapter's when it has them, else the base's) to outputDir.
     */
    public static Merged merge(Path adapter, Path base, Path outputDir) throws IOException {
        Path baseDir = base != null ? base : PeftAdapter.baseFolder(adapter);
        Path tokenizer = Files.isRegularFile(adapter.resolve("tokenizer.json"))
                || Files.isRegularFile(adapter.resolve("tokenizer_config.json")) ? adapter : baseDir;
        PeftAdapter.Loaded a = PeftAdapter.load(adapter);
        LoadedModel lm = HfModel.load(baseDir);
        if (a.sequenceClassification()) {
            // a reward model's adapter: the merged backbone and the adapter's score head, saved as a reward model folder
            RewardModel rm = RewardModelFolder.loadAdapter(a, lm, baseDir, tokenizer);
            RewardModelFolder.save(outputDir, rm, lm.layout().dtype());
        } else {
            Lora lora = PeftAdapter.read(a, lm.config(), 0);
            lora.mergeInto(lm.tensors());
            HfModel.save(outputDir, lm.config(), lm.tensors(), lm.layout());
        }
        HfModel.copyTokenizerFiles(tokenizer, outputDir);
        return new Merged(baseDir, a);
    }
}
