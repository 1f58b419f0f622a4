package align4j.cli;

import align4j.InputException;
import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code align4j init-model}: a model with random weights from a Hugging Face config.json, saved as a model folder
 * ({@code AutoModelForCausalLM.from_config(config).save_pretrained(dir)}): for benchmarks and memory tests at a
 * real architecture's size without downloading its weights ({@code --from-config}, since {@code --config} is every
 * command's options file). Weights from {@link ModelInit} (GPT-2/Llama
 * initialisation: normal with std initializer_range, norms at one, biases at zero), seeded.
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
        Path file = Files.isDirectory(config) ? config.resolve("config.json") : config;
        DType dtype = DType.fromTorchName(torchDtype);
        if (dtype == null) throw new InputException("--torch-dtype must be float32, bfloat16 or float16, got '" + torchDtype + "'");
        if (!Files.isRegularFile(file)) throw new InputException(file + ": not found");
        ModelConfig cfg;
        try {
            cfg = ModelConfig.loadFile(file);
        } catch (ModelFormatException e) {
            throw new InputException(e.getMessage());
        }
        Map<String, Tensor> weights = ModelInit.random(cfg, seed);
        long params = weights.values().stream().mapToLong(Tensor::size).sum();
        HfModel.save(outputDir, cfg, weights, HfLayout.forNew(cfg, dtype));
        System.err.printf("init-model: %,d parameters (%s, seed %d) saved to %s%n", params, dtype.torchName(), seed, outputDir);
        return 0;
    }
}
