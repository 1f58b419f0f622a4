package align4j.cli;

import align4j.InputException;
import align4j.generate.SamplingParams;
import java.util.List;
import picocli.CommandLine.Option;

/** How generate, collect and best-of-n sample from the policy: Hugging Face's generation names, as {@link SamplingParams}. */
final class SamplingOptions {
    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 means greedy in generate (default ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 disables (default ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass; 1 disables (default ${DEFAULT-VALUE}).")
    float topP;
    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Most tokens per completion (default ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--seed", defaultValue = "42", description = "Random seed of sampling and labelling (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--batch-size", defaultValue = "16", description = "Sequences decoded together (default ${DEFAULT-VALUE}).")
    int batchSize;

    /** The parameters as given (checked before any model is loaded); the model's EOS ids are added when sampling. */
    SamplingParams params(boolean doSample, int numReturnSequences, List<Integer> stopTokenIds, List<String> stop) {
        if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        return new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, numReturnSequences, stopTokenIds, stop);
    }

    /** n samples per prompt to compare (collect, best-of-n): the temperature must be positive, or they would not differ. */
    SamplingParams comparable(int n, String nFlag) {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new InputException("--temperature must be > 0 (samples must differ to be compared), got " + temperature);
        }
        if (n < 1) throw new InputException(nFlag + " must be at least 1, got " + n);
        return params(true, n, List.of(), List.of());
    }
}
