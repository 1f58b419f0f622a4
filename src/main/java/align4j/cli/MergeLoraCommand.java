package align4j.cli;

import align4j.io.LoraMerge;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code align4j merge-lora}: {@link LoraMerge} (PEFT's merge_and_unload) from the command line. */
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
        LoraMerge.Merged m = LoraMerge.merge(adapter, model, outputDir);
        System.err.println("merge-lora: " + m.describe(outputDir));
        return 0;
    }
}
