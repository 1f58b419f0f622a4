package align4j.cli;

import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.RewardModelFolder;
import align4j.model.Lora;
import align4j.model.RewardModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j merge-lora}: PEFT's merge_and_unload on disk: W ← W + (α/r)·B·A for every adapted module,
 * written as an ordinary Hugging Face model folder (the base's tensor names, dtypes and shards). A reward
 * model's adapter (task_type SEQ_CLS) becomes a reward model folder ({@link RewardModelFolder#loadAdapter}).
 */
@Command(name = "merge-lora", description = "Merge a PEFT LoRA adapter into its base model and save a full model folder.")
final class MergeLoraCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "DIR", description = "Base model folder (default: the adapter's base_model_name_or_path).")
    Path model;
    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter folder (adapter_config.json, adapter_model.safetensors).")
    Path adapter;
    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Where the merged model goes.")
    Path outputDir;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws IOException {
        threadsOption.apply();
        Path base = model != null ? model : PeftAdapter.baseFolder(adapter);
        Path tokenizer = Files.isRegularFile(adapter.resolve("tokenizer.json")) || Files.isRegularFile(adapter.resolve("tokenizer_config.json"))
                ? adapter : base;
        PeftAdapter.Loaded a = PeftAdapter.load(adapter);
        if (a.sequenceClassification()) {
            // a reward model's adapter: the merged backbone and the adapter's score head, saved as a reward model folder
            LoadedModel lm = HfModel.load(base);
            RewardModel rm = RewardModelFolder.loadAdapter(a, lm, base, tokenizer);
            RewardModelFolder.save(outputDir, rm, lm.layout().dtype());
        } else {
            LoadedModel lm = HfModel.load(base);
            Lora lora = PeftAdapter.read(a, lm.config(), 0);
            lora.mergeInto(lm.tensors());
            HfModel.save(outputDir, lm.config(), lm.tensors(), lm.layout());
        }
        HfModel.copyTokenizerFiles(tokenizer, outputDir);
        System.err.println("merge-lora: " + a.tensors().size() / 2 + " adapters (r " + a.config().r() + ", alpha "
                + a.config().alpha() + ") merged into " + base + (a.sequenceClassification() ? " with the adapter's score head" : "")
                + "; saved to " + outputDir);
        return 0;
    }
}
