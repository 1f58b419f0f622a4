package align4j.io;

import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import align4j.model.ParamNames;
import align4j.model.RewardModel;
import align4j.model.ScalarHead;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link RewardModel}'s folders: Hugging Face's {@code *ForSequenceClassification} with num_labels = 1
 * (config.json + model.safetensors, what {@code align4j reward} saves and transformers'
 * AutoModelForSequenceClassification loads), a PEFT SEQ_CLS adapter of one, or a language model that gets a
 * fresh score head.
 *
 * <p>Use from Java:
 * <pre>{@code
 * RewardModel rm = RewardModelFolder.load(Path.of("rm"));
 * double[] r = rm.score(prompts, completions);
 * }</pre>
 */
public final class RewardModelFolder {
    private RewardModelFolder() {}

    /**
     * Loads a sequence-classification folder with num_labels = 1 (score.weight present, no lm_head), or a PEFT
     * adapter folder of one (task_type SEQ_CLS, as {@code align4j reward --use-peft} saves it), merged into the
     * base it names ({@link #loadAdapter}).
     */
    public static RewardModel load(Path dir) throws IOException {
        dir = HubCache.resolve(dir);
        if (PeftAdapter.isAdapterFolder(dir)) {
            Path base = PeftAdapter.baseFolder(dir);
            return loadAdapter(PeftAdapter.load(dir), base, Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir : base);
        }
        LoadedModel lm = HfModel.load(dir);
        SequenceClassification.requireRewardModel(lm.config(), dir);
        return of(lm.config(), lm.tensors());
    }

    /**
     * A reward model's PEFT adapter merged into its base (PEFT's merge_and_unload): the base's backbone with
     * W ← W + (α/r)·B·A for each adapted module and the adapter's score head. A language-model base gets the
     * pad id {@link #padTokenId(Path, ModelConfig)} finds from tokDir, as training did.
     */
    public static RewardModel loadAdapter(PeftAdapter.Loaded a, Path base, Path tokDir) throws IOException {
        return loadAdapter(a, HfModel.load(base), base, tokDir);
    }

    /** {@link #loadAdapter(PeftAdapter.Loaded, Path, Path)} on a base already loaded from {@code baseDir}. */
    public static RewardModel loadAdapter(PeftAdapter.Loaded a, LoadedModel lm, Path baseDir, Path tokDir) {
        if (!a.sequenceClassification()) {
            throw new ModelFormatException(a.dir().resolve(PeftAdapter.CONFIG_FILE) + ": task_type is not SEQ_CLS: a language model's"
                    + " adapter, not a reward model's (merge it with `align4j merge-lora` and use it as a policy)");
        }
        RewardModel rm = open(lm, baseDir, padTokenId(tokDir, lm.config()), 0);
        PeftAdapter.read(a, rm.config(), 0).mergeInto(rm.tensors());
        float[] w = rm.head().weight().data;
        System.arraycopy(a.score().data, 0, w, 0, w.length);
        return rm;
    }

    /**
     * The reward model a folder's weights make: a reward model as it is, or a language model with its LM head
     * replaced by a fresh score head ({@link #fromLanguageModel}, padTokenId and seed used there only).
     */
    public static RewardModel open(LoadedModel lm, Path dir, int padTokenId, long seed) {
        if (SequenceClassification.isClassifier(lm.config())) {
            SequenceClassification.requireRewardModel(lm.config(), dir);
            return of(lm.config(), lm.tensors());
        }
        return fromLanguageModel(lm, padTokenId, seed);
    }

    /**
     * The pad id a reward model on this language model gets, as TRL picks it: the tokenizer's pad token, else its
     * EOS (TRL sets pad = eos when the tokenizer has none), else config.json's pad/eos id, else 0 (with a warning:
     * Hugging Face needs one to find the last token of padded rows).
     */
    public static int padTokenId(Path tokDir, ModelConfig config) {
        if (tokDir != null && Files.isRegularFile(tokDir.resolve("tokenizer.json"))) {
            try (Tokenizer tok = Tokenizer.load(tokDir)) {
                if (tok.padId() >= 0) return tok.padId();
                if (tok.eosId() >= 0) return tok.eosId();
            }
        }
        int pad = SequenceClassification.padTokenId(config);
        if (pad >= 0) return pad;
        System.err.println("reward model: warning: neither the tokenizer nor config.json names a pad or eos token; "
                + "pad_token_id 0 is written to config.json (Hugging Face needs one to find the last token of padded rows)");
        return 0;
    }

    /**
     * A reward model on a language model's backbone: the LM head is dropped and a fresh score head is drawn
     * as HF's {@code _init_weights} draws a Linear, normal(0, initializer_range) (default 0.02), with {@code seed}.
     *
     * @param padTokenId written to config.json (see {@link SequenceClassification#rewardConfig})
     */
    public static RewardModel fromLanguageModel(LoadedModel lm, int padTokenId, long seed) {
        ModelConfig cfg = SequenceClassification.rewardConfig(lm.config(), padTokenId);
        Map<String, Tensor> t = new LinkedHashMap<>(lm.tensors());
        t.remove(ParamNames.LM_HEAD);
        double std = lm.config().raw().path("initializer_range").asDouble(0.02);
        t.put(ParamNames.SCORE, ScalarHead.initWeight(ParamNames.SCORE, cfg.hidden(), std, seed));
        return of(cfg, t);
    }

    /**
     * Writes the HF sequence-classification folder (config.json + model.safetensors, every tensor in
     * {@code dtype}: pass the loaded folder's {@code layout().dtype()} to keep it); tokenizer files are the caller's.
     */
    public static void save(Path dir, RewardModel rm, DType dtype) throws IOException {
        HfModel.save(dir, rm.config(), rm.tensors(), SequenceClassification.layout(rm.config(), dtype));
    }

    /** The model on a config's weights, with the pad id its config names ({@link SequenceClassification#padTokenId(ModelConfig)}). */
    private static RewardModel of(ModelConfig config, Map<String, Tensor> tensors) {
        return new RewardModel(config, tensors, SequenceClassification.padTokenId(config));
    }
}
