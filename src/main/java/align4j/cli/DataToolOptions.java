package align4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What the one-shot tools over a dataset share (logps, score): a model, --data in, --out JSONL, batching, data and threads. */
final class DataToolOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder (for score: a reward model).")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Input records (JSONL[.gz], JSON, Parquet).")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: each input record plus the command's fields.")
    Path out;
    @Option(names = "--batch-size", defaultValue = "8", description = "Pairs (or sequences) per forward pass (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    ThreadsOption threads;
}
