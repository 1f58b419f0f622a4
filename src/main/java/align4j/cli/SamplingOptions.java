package align4j.cli;

import align4j.InputException;
import align4j.generate.EosTokens;
import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import align4j.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How collect and best-of-n sample from the policy (Hugging Face's generation names), and the sampling itself. */
final class SamplingOptions {
    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature, > 0 (default ${DEFAULT-VALUE}).")
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

    /** The policy's samples: prompts as read, n completions per prompt (prompt-major), and the policy's tokenizer (or null). */
    record Drawn(List<PromptFile.Prompt> prompts, List<Generation> generations, int n, Tokenizer tokenizer) {
        /** Generation j of prompt i. */
        Generation get(int i, int j) {
            return generations.get(i * n + j);
        }
    }

    /** Validates the flags (before any model is loaded): sampling needs a positive temperature. */
    void check(int n, String nFlag) {
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
            throw new InputException("--temperature must be > 0 (samples must differ to be compared), got " + temperature);
        }
        if (n < 1) throw new InputException(nFlag + " must be at least 1, got " + n);
        if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        params(n, List.of());
    }

    private SamplingParams params(int n, List<Integer> stops) {
        try {
            return new SamplingParams(maxNewTokens, true, temperature, topK, topP, n, stops, List.of());
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
    }

    /** Loads the policy and draws n completions per prompt, stopping at the model's EOS ids. */
    Drawn draw(Path policy, Path promptsFile, int n, String command) throws IOException {
        LoadedModel m = HfModel.load(policy);
        Transformer t = new Transformer(m.config(), m.tensors());
        Tokenizer tok = Files.isRegularFile(policy.resolve("tokenizer.json")) ? Tokenizer.load(policy) : null;
        List<PromptFile.Prompt> ps = PromptFile.read(promptsFile, tok, m.config().vocabSize(), m.config().maxPositions());
        SamplingParams params = params(n, EosTokens.of(policy, tok));
        List<int[]> ids = new ArrayList<>(ps.size());
        for (PromptFile.Prompt p : ps) ids.add(p.ids());
        long start = System.nanoTime();
        long[] last = {start};
        List<Generation> gens = new Generator(t, tok).batchSize(batchSize).onProgress((done, total, tokens) -> {
            long now = System.nanoTime();
            if (now - last[0] > 2_000_000_000L || done == total) {
                last[0] = now;
                System.err.printf("%s: sampled %d/%d completions, %.1f tokens/s%n", command, done, total, tokens / ((now - start) / 1e9));
            }
        }).generate(ids, params, seed);
        return new Drawn(ps, gens, n, tok);
    }
}
