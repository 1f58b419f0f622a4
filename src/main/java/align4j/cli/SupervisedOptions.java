package align4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the supervised training commands (sft, reward, dpo, orpo, cpo, kto) share: the model and dataset, a --config file, where
 * eval metrics come from, HF's TrainingArguments, how the model is held (PEFT, checkpointing, bf16 weights) and
 * the engine's threads.
 */
final class SupervisedOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder, or a PEFT adapter folder to keep training on the base it names.")
    Path model;
    @Option(names = "--dataset", required = true, paramLabel = "FILE", description = "Training data (JSONL[.gz], JSON, Parquet).")
    Path dataset;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Mixin
    EvalOptions eval;
    @Mixin
    TrainingOptions training;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    ThreadsOption threads;
}
