package align4j.cli;

import align4j.api.Policy;
import align4j.api.Samples;
import align4j.api.Sampling;
import align4j.generate.SamplingParams;
import align4j.io.JsonLines;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j generate}: completions for a JSONL file of prompts ({@link Sampling#draw}). Each output line is the
 * input record plus {@code completion} (text, or TRL's assistant message for a conversational prompt),
 * {@code completion_input_ids} and {@code finish_reason}; num_return_sequences lines per record.
 */
@Command(name = "generate", description = "Generate completions for prompts (KV-cache decoding; temperature, top-k, top-p).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder.")
    Path model;
    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "JSONL records with prompt (text or messages), messages, or prompt_input_ids.")
    Path prompts;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL: each record plus completion, completion_input_ids, finish_reason.")
    Path out;
    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file of options (snake_case keys); flags override it.")
    Path config;
    @Option(names = "--do-sample", defaultValue = "true", arity = "1", description = "false: greedy decoding (default ${DEFAULT-VALUE}).")
    boolean doSample;
    @Option(names = "--num-return-sequences", defaultValue = "1", description = "Completions per prompt (default ${DEFAULT-VALUE}).")
    int numReturnSequences;
    @Option(names = "--stop", arity = "1..*", paramLabel = "STR", description = "Stop strings; the completion is cut before the first one.")
    List<String> stop = new ArrayList<>();
    @Option(names = "--stop-token-ids", arity = "1..*", split = ",", paramLabel = "ID",
            description = "Extra token ids that end a completion (besides the model's eos_token_id).")
    List<Integer> stopTokenIds = new ArrayList<>();
    @Mixin
    SamplingOptions sampling;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        SamplingParams params = sampling.params(doSample, numReturnSequences, stopTokenIds, stop); // checked before the load
        long start = System.nanoTime();
        Samples s = Sampling.draw(Policy.load(model), prompts, params, sampling.seed, sampling.batchSize, "generate");
        double secs = (System.nanoTime() - start) / 1e9;
        List<ObjectNode> records = new ArrayList<>();
        long tokens = 0;
        for (int i = 0; i < s.prompts().size(); i++) {
            for (int j = 0; j < s.n(); j++) {
                records.add(s.completionRecord(i, j).put("finish_reason", s.get(i, j).finishReason().label()));
                tokens += s.get(i, j).tokenIds().length;
            }
        }
        JsonLines.write(out, records);
        System.err.printf("generate: %d completions, %d tokens in %.1f s (%.1f tokens/s) → %s%n", records.size(), tokens, secs,
                tokens / secs, out);
        return 0;
    }
}
