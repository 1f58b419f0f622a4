package align4j.api;

import align4j.InputException;
import align4j.data.Pairs;
import align4j.data.PreferenceExample;
import align4j.data.PreferencePair;
import align4j.data.PreferenceTokenizer;
import align4j.generate.EosTokens;
import align4j.generate.Generation;
import align4j.generate.Generator;
import align4j.generate.SamplingParams;
import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.model.Lora;
import align4j.model.ModelConfig;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import align4j.train.PairLogps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A causal language model as the jobs use it: a Hugging Face model folder (or a PEFT adapter folder on the base
 * it names), the {@link Transformer} built from it, its LoRA adapters when it trains them, and its tokenizer.
 * The training jobs ({@link Sft}, {@link Dpo}, {@link Ppo}, …) update it in place; {@link #save} writes a folder
 * {@code transformers} loads (a PEFT adapter folder when adapters trained), keeping the input's tensor names and dtypes.
 *
 * <pre>{@code
 * Policy policy = Policy.load(Path.of("Qwen2.5-0.5B"));
 * PairLogps.Result lp = policy.logps(pairs);                       // summed completion log-probs
 * List<Generation> out = policy.generate(List.of("The film was"), SamplingParams.sampling(32, List.of()), 42);
 * }</pre>
 * Not thread-safe: the model holds one set of activation buffers.
 */
public final class Policy implements TrainedModel {
    /** Packed tokens per forward pass of {@link #logps} (a single longer pair still runs alone). */
    public static final int LOGPS_PASS_TOKENS = 16384;

    private final LoadedModel files;
    private final Transformer model;
    private final Lora lora;
    private final Path baseDir, tokenizerDir;
    private Tokenizer tokenizer;

    private Policy(LoadedModel files, Transformer model, Lora lora, Path baseDir, Path tokenizerDir) {
        this.files = files;
        this.model = model;
        this.lora = lora;
        this.baseDir = baseDir;
        this.tokenizerDir = tokenizerDir;
    }

    /** A model folder as it is: every weight trainable when a job trains it. */
    public static Policy load(Path dir) throws IOException {
        return load(dir, ModelSettings.defaults(), null, 42);
    }

    /**
     * A model folder, or a PEFT adapter folder (its adapters continue training on the base it names), held as
     * settings ask. tokenizerDir (null: the adapter folder's tokenizer files when it has them, else the base's)
     * is where text is encoded from; seed draws fresh LoRA weights and dropout masks.
     */
    public static Policy load(Path dir, ModelSettings settings, Path tokenizerDir, long seed) throws IOException {
        ModelFolders f = ModelFolders.of(dir, tokenizerDir);
        LoadedModel lm = HfModel.load(f.base());
        Transformer t = new Transformer(lm.config(), lm.tensors());
        Lora lora = Adapters.attach(t, f.adapter() == null ? null : PeftAdapter.load(f.adapter()), settings, seed);
        return new Policy(lm, t, lora, f.base(), f.tokenizer());
    }

    /**
     * A model that only runs forward (a reference): every weight frozen, held as bf16 when bf16Weights (the
     * policy's frozen weights are then bf16 too, so both compute alike).
     */
    public static Policy loadFrozen(Path dir, boolean bf16Weights) throws IOException {
        Policy p = load(dir);
        if (bf16Weights) p.model.holdFrozenWeightsAsBf16();
        return p;
    }

    /** A model built in memory (random weights from {@code ModelInit}, a test): saved as safetensors F32, GPT-2 or Llama names. */
    public static Policy of(ModelConfig config, Map<String, Tensor> tensors, Path tokenizerDir) {
        return new Policy(new LoadedModel(config, tensors, HfLayout.forNew(config, DType.F32)), new Transformer(config, tensors),
                null, null, tokenizerDir);
    }

    public Transformer model() {
        return model;
    }

    public ModelConfig config() {
        return files.config();
    }

    @Override
    public Lora lora() {
        return lora;
    }

    /** The model folder the weights came from (the adapter's base for a PEFT folder); null for an in-memory model. */
    public Path baseDir() {
        return baseDir;
    }

    /** Where the tokenizer files are read from (may hold no tokenizer.json: pre-tokenized data only). */
    public Path tokenizerDir() {
        return tokenizerDir;
    }

    /** The folder's tokenizer, loaded once; null when there is no tokenizer.json. */
    public Tokenizer tokenizer() {
        if (tokenizer == null && tokenizerDir != null && Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
            tokenizer = Tokenizer.load(tokenizerDir);
        }
        return tokenizer;
    }

    /** The tensors a training job updates: the adapters with PEFT, else every weight. */
    public List<Tensor> trainableParameters() {
        return lora != null ? lora.parameters() : model.parameters();
    }

    /**
     * Text pairs tokenized as training tokenizes a dataset's (prompt with BOS, each completion after it, EOS
     * appended; conversations through the chat template), every id checked against the model's vocabulary.
     */
    public Pairs tokenize(List<PreferencePair> pairs) {
        Tokenizer tok = tokenizer();
        if (tok == null) throw new InputException(tokenizerDir + ": text pairs need a tokenizer.json");
        PreferenceTokenizer pt = new PreferenceTokenizer(tok);
        int n = pairs.size();
        int[][] p = new int[n][], c = new int[n][], r = new int[n][];
        String[] src = new String[n];
        for (int i = 0; i < n; i++) {
            PreferenceExample e = pt.tokenize(pairs.get(i));
            e.checkVocabulary(config().vocabSize());
            p[i] = e.prompt();
            c[i] = e.chosen();
            r[i] = e.rejected();
            src[i] = e.source() + " " + i;
        }
        return new Pairs(p, c, r, src);
    }

    /**
     * Summed completion log-probs of every pair (forward only): up to batchSize pairs per pass, packed with prefix
     * sharing, at most {@link #LOGPS_PASS_TOKENS} tokens a pass.
     */
    public PairLogps.Result logps(Pairs pairs, int batchSize) {
        return PairLogps.compute(model, pairs.prompts(), pairs.chosen(), pairs.rejected(), batchSize, LOGPS_PASS_TOKENS, null);
    }

    /** Completions of text prompts (encoded with the tokenizer, no special tokens added), stopping at the model's EOS ids too. */
    public List<Generation> generate(List<String> prompts, SamplingParams params, long seed) {
        Tokenizer tok = tokenizer();
        if (tok == null) throw new InputException(tokenizerDir + ": text prompts need a tokenizer.json");
        List<int[]> ids = new ArrayList<>();
        for (String p : prompts) ids.add(tok.encode(p, false));
        return generateIds(ids, params.withStopTokenIds(stopTokenIds(params.stopTokenIds())), seed);
    }

    /** Completions of token-id prompts, exactly as given (params' stop ids only). */
    public List<Generation> generateIds(List<int[]> prompts, SamplingParams params, long seed) {
        return new Generator(model, tokenizer()).generate(prompts, params, seed);
    }

    /** The model's EOS ids (generation_config.json, config.json, tokenizer) followed by extra. */
    public List<Integer> stopTokenIds(List<Integer> extra) {
        Set<Integer> ids = new LinkedHashSet<>();
        try {
            if (baseDir != null) ids.addAll(EosTokens.of(baseDir, tokenizer()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ids.addAll(extra);
        return List.copyOf(ids);
    }

    /**
     * Writes the trained policy to dir: a PEFT adapter folder (adapter_config.json naming the base) when adapters
     * trained, else the whole model with the input's tensor names and dtypes; then the tokenizer files.
     */
    @Override
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (lora != null) PeftAdapter.save(dir, lora, String.valueOf(baseDir));
        else HfModel.save(dir, files.config(), files.tensors(), files.layout());
        if (tokenizerDir != null) HfModel.copyTokenizerFiles(tokenizerDir, dir);
    }
}
