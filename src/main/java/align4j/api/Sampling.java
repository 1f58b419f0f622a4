package align4j.api;

import align4j.InputException;
import align4j.data.PromptFile;
import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Completions of a policy for a file of prompts (generate, best-of-n, collect): prompts read as
 * {@link PromptFile} reads them (text, messages through the chat template, or ids as given), decoded with the
 * KV-cache {@link Generator} in batches, stopping at the model's EOS ids as well as the params' own.
 */
public final class Sampling {
    private Sampling() {}

    /**
     * params.numReturnSequences() completions per prompt of promptsFile; progress lines (labelled by label) go to
     * stderr every 2 s.
     */
    public static Samples draw(Policy policy, Path promptsFile, SamplingParams params, long seed, int batchSize, String label)
            throws IOException {
        if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        List<PromptFile.Prompt> prompts = PromptFile.read(promptsFile, policy.tokenizer(), policy.config().vocabSize(),
                policy.config().maxPositions());
        if (policy.tokenizer() == null && !params.stop().isEmpty()) {
            throw new InputException(policy.tokenizerDir() + ": --stop needs a tokenizer (no tokenizer.json)");
        }
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (PromptFile.Prompt p : prompts) ids.add(p.ids());
        SamplingParams withEos = params.withStopTokenIds(policy.stopTokenIds(params.stopTokenIds()));
        return new Samples(prompts, generate(policy, ids, withEos, seed, batchSize, label), params.numReturnSequences(),
                policy.tokenizer());
    }

    /** Completions of token-id prompts exactly as given (params' stop ids only), with progress lines. */
    public static List<Generation> generate(Policy policy, List<int[]> prompts, SamplingParams params, long seed, int batchSize,
                                            String label) {
        long start = System.nanoTime();
        long[] last = {start};
        return new Generator(policy.model(), policy.tokenizer()).batchSize(batchSize).onProgress((done, total, tokens) -> {
            long now = System.nanoTime();
            if (now - last[0] > 2_000_000_000L || done == total) {
                last[0] = now;
                System.err.printf("%s: sampled %d/%d completions, %d tokens, %.1f tokens/s%n", label, done, total, tokens,
                        tokens / ((now - start) / 1e9));
            }
        }).generate(prompts, params, seed);
    }
}
