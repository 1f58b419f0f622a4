package align4j.cli;

import align4j.InputException;
import align4j.io.DType;
import align4j.io.RandomModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code align4j init-model}: {@link RandomModel}, a model folder with random weights from a Hugging Face
 * config.json ({@code --from-config}, since {@code --config} is every command's options file).
 */
@Command(name = "init-model", description = "Save a model with random weights from a Hugging Face config.json (for benchmarks).")
final class InitModelCommand implements Callable<Integer> {
    @Option(names = "--from-config", required = true, paramLabel = "FILE|DIR", description = "config.json, or a model folder holding one.")
    Path config;
    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Where the model folder goes.")
    Path outputDir;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--torch-dtype", defaultValue = "float32", paramLabel = "DTYPE",
            description = "Stored dtype: float32, bfloat16 or float16 (default ${DEFAULT-VALUE}).")
    String torchDtype;

    @Override
    public Integer call() throws IOException {
        DType dtype = DType.fromTorchName(torchDtype);
        if (dtype == null) throw new InputException("--torch-dtype must be float32, bfloat16 or float16, got '" + torchDtype + "'");
        long params = RandomModel.save(config, outputDir, seed, dtype);
        System.err.printf("init-model: %,d parameters (%s, seed %d) saved to %s%n", params, dtype.torchName(), seed, outputDir);
        return 0;
    }
}
