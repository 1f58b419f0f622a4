package align4j.io;

import align4j.InputException;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model folder with random weights from a Hugging Face config.json ({@code align4j init-model};
 * {@code AutoModelForCausalLM.from_config(config).save_pretrained(dir)}): for benchmarks and memory tests at a real
 * architecture's size without downloading its weights. Weights from {@link ModelInit} (GPT-2/Llama initialisation:
 * normal with std initializer_range, norms at one, biases at zero), seeded.
 */
public final class RandomModel {
    private RandomModel() {}

    /**
     * Reads config (a config.json, or a folder holding one), draws the weights from seed and saves them as dtype to
     * outputDir. Returns the number of parameters. A missing or unusable config is an {@link InputException}
     * naming the file.
     */
    public static long save(Path config, Path outputDir, long seed, DType dtype) throws IOException {
        Path file = Files.isDirectory(config) ? config.resolve("config.json") : config;
        if (!Files.isRegularFile(file)) throw new InputException(file + ": not found");
        ModelConfig cfg = ModelConfig.loadFile(file);
        Map<String, Tensor> weights = ModelInit.random(cfg, seed);
        HfModel.save(outputDir, cfg, weights, HfLayout.forNew(cfg, dtype));
        return weights.values().stream().mapToLong(Tensor::size).sum();
    }
}
