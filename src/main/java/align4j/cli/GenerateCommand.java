package align4j.cli;

import align4j.InputException;
import align4j.generate.EosTokens;
import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import align4j.io.AtomicWrite;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code align4j generate}: completions for a JSONL file of prompts with a KV-cache decoder
 * ({@link Generator}). A record gives {@code prompt_input_ids} (ids used as given), {@code prompt} (text, or
 * a conversational list of messages) or {@code messages}; conversations go through the model folder's chat
 * template with add_generation_prompt. Each output line is the input record plus {@code completion} (text,
 * or for a conversational prompt TRL's [{"role": "assistant", "content": …}]), {@code completion_input_ids}
 * and {@code finish_reason}; num_return_sequences lines per record.
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
    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 means greedy (default ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 disables (default ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass; 1 disables (default ${DEFAULT-VALUE}).")
    float topP;
    @Option(names = "--do-sample", defaultValue = "true", arity = "1", description = "false: greedy decoding (default ${DEFAULT-VALUE}).")
    boolean doSample;
    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Most tokens generated per completion (default ${DEFAULT-VALUE}).")
    int maxNewTokens;
    @Option(names = "--num-return-sequences", defaultValue = "1", description = "Completions per prompt (default ${DEFAULT-VALUE}).")
    int numReturnSequences;
    @Option(names = "--stop", arity = "1..*", paramLabel = "STR", description = "Stop strings; the completion is cut before the first one.")
    List<String> stop = new ArrayList<>();
    @Option(names = "--stop-token-ids", arity = "1..*", split = ",", paramLabel = "ID",
            description = "Extra token ids that end a completion (besides the model's eos_token_id).")
    List<Integer> stopTokenIds = new ArrayList<>();
    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--batch-size", defaultValue = "16", description = "Sequences decoded together (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Mixin
    ThreadsOption threadsOption;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        try { // validate the flags before the (slow) model load
            new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, numReturnSequences, List.of(), stop);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        LoadedModel m = HfModel.load(model);
        Transformer t = new Transformer(m.config(), m.tensors());
        Tokenizer tok = Files.isRegularFile(model.resolve("tokenizer.json")) ? Tokenizer.load(model) : null;
        List<PromptFile.Prompt> ps = PromptFile.read(prompts, tok, m.config().vocabSize(), m.config().maxPositions());
        if (tok == null && !stop.isEmpty()) throw new InputException(model + ": --stop needs a tokenizer (no tokenizer.json)");
        Set<Integer> stops = new LinkedHashSet<>(EosTokens.of(model, tok));
        stops.addAll(stopTokenIds);
        SamplingParams params = new SamplingParams(maxNewTokens, doSample, temperature, topK, topP, numReturnSequences, List.copyOf(stops), stop);

        List<int[]> ids = new ArrayList<>();
        for (PromptFile.Prompt p : ps) ids.add(p.ids());
        long start = System.nanoTime();
        long[] lastReport = {start};
        Generator g = new Generator(t, tok).batchSize(batchSize).onProgress((done, total, tokens) -> {
            long now = System.nanoTime();
            if (now - lastReport[0] > 2_000_000_000L || done == total) {
                lastReport[0] = now;
                System.err.printf("generate: %d/%d completions, %d tokens, %.1f tokens/s%n", done, total, tokens,
                        tokens / ((now - start) / 1e9));
            }
        });
        List<Generation> gens = g.generate(ids, params, seed);
        double secs = (System.nanoTime() - start) / 1e9;
        long tokens = 0;
        StringBuilder sb = new StringBuilder();
        for (Generation gen : gens) {
            tokens += gen.tokenIds().length;
            PromptFile.Prompt p = ps.get(gen.promptIndex());
            ObjectNode rec = p.record().deepCopy();
            if (gen.text() != null) {
                if (p.conversational()) {
                    ObjectNode msg = rec.putArray("completion").addObject();
                    msg.put("role", "assistant");
                    msg.put("content", gen.text());
                } else {
                    rec.put("completion", gen.text());
                }
            }
            var arr = rec.putArray("completion_input_ids");
            for (int id : gen.tokenIds()) arr.add(id);
            rec.put("finish_reason", gen.finishReason().label());
            sb.append(JSON.writeValueAsString(rec)).append('\n');
        }
        AtomicWrite.write(out, sb.toString().getBytes(StandardCharsets.UTF_8));
        System.err.printf("generate: %d completions, %d tokens in %.1f s (%.1f tokens/s) → %s%n", gens.size(), tokens, secs,
                tokens / secs, out);
        return 0;
    }
}
