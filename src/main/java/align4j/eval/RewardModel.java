package align4j.eval;

import align4j.io.DType;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.io.PeftAdapter;
import align4j.io.SequenceClassification;
import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import align4j.model.ParamNames;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Bradley–Terry reward model: a transformer backbone and a {@link ScalarHead} read at the last token of
 * each sequence (prompt + completion), as Hugging Face's {@code *ForSequenceClassification} with
 * num_labels = 1 computes it: the score at the last token that is not {@code pad_token_id}
 * (modeling_llama.py LlamaForSequenceClassification: the rightmost position where input_ids != pad). When
 * pad = EOS, as TRL sets it for tokenizers without a pad token, a trailing EOS is therefore not the scored
 * token, in transformers and here alike.
 *
 * <p>Use from Java:
 * <pre>{@code
 * RewardModel rm = RewardModel.load(Path.of("rm"));          // a folder `align4j reward` saved, or HF's
 * double[] r = rm.score(prompts, completions);               // token ids, one score per pair of lists
 * }</pre>
 * Scoring is forward-only and runs in micro-batches of {@link #scoreBatchSize()} sequences. Not thread-safe:
 * one model holds one set of activation buffers.
 */
public final class RewardModel {
    private final ModelConfig config;
    private final Map<String, Tensor> tensors;
    private final DType dtype;
    private final Transformer backbone;
    private final ScalarHead head;
    private float[] dHidden = new float[0];
    private int lastBatchRows;
    private int scoreBatchSize = 8;
    private final int padTokenId;

    private RewardModel(ModelConfig config, Map<String, Tensor> tensors, DType dtype) {
        this.config = config;
        this.tensors = tensors;
        this.dtype = dtype;
        this.backbone = new Transformer(config, tensors);
        this.head = new ScalarHead(tensors.get(ParamNames.SCORE), null);
        this.padTokenId = SequenceClassification.padTokenId(config);
    }

    /**
     * Loads a sequence-classification folder with num_labels = 1 (score.weight present, no lm_head), or a PEFT
     * adapter folder of one (task_type SEQ_CLS, as {@code align4j reward --use-peft} saves it), merged into the
     * base it names ({@link #loadAdapter}).
     */
    public static RewardModel load(Path dir) throws IOException {
        if (PeftAdapter.isAdapterFolder(dir)) {
            Path base = PeftAdapter.baseFolder(dir);
            return loadAdapter(PeftAdapter.load(dir), base, Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir : base);
        }
        LoadedModel lm = HfModel.load(dir);
        SequenceClassification.requireRewardModel(lm.config(), dir);
        return new RewardModel(lm.config(), lm.tensors(), lm.layout().dtype());
    }

    /**
     * A reward model's PEFT adapter merged into its base (PEFT's merge_and_unload): the base's backbone with
     * W ← W + (α/r)·B·A for each adapted module and the adapter's score head. A language-model base gets the
     * pad id {@link #padTokenId(Path, ModelConfig)} finds from tokDir, as training did.
     */
    public static RewardModel loadAdapter(PeftAdapter.Loaded a, Path base, Path tokDir) throws IOException {
        if (!a.sequenceClassification()) {
            throw new ModelFormatException(a.dir().resolve(PeftAdapter.CONFIG_FILE) + ": task_type is not SEQ_CLS: a language model's"
                    + " adapter, not a reward model's (merge it with `align4j merge-lora` and use it as a policy)");
        }
        LoadedModel lm = HfModel.load(base);
        RewardModel rm = open(lm, base, padTokenId(tokDir, lm.config()), 0);
        PeftAdapter.read(a, rm.config(), 0).mergeInto(rm.tensors);
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
            return new RewardModel(lm.config(), lm.tensors(), lm.layout().dtype());
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
        return new RewardModel(cfg, t, lm.layout().dtype());
    }

    /** Writes the HF sequence-classification folder (config.json + model.safetensors); tokenizer files are the caller's. */
    public void save(Path dir) throws IOException {
        HfModel.save(dir, config, tensors, SequenceClassification.layout(config, dtype));
    }

    public ModelConfig config() {
        return config;
    }

    public Transformer backbone() {
        return backbone;
    }

    public ScalarHead head() {
        return head;
    }

    /** Every parameter once (backbone and score head), in a fixed order: what training and checkpoints use. */
    public List<Tensor> parameters() {
        return new ArrayList<>(tensors.values());
    }

    public int scoreBatchSize() {
        return scoreBatchSize;
    }

    public RewardModel scoreBatchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("score batch size must be ≥ 1, got " + n);
        this.scoreBatchSize = n;
        return this;
    }

    /**
     * The scalar at the given rows (each a sequence's last token) of a packed batch. With {@code forTraining}
     * activations are kept for {@link #backward}.
     */
    public float[] forward(Batch batch, int[] lastRows, boolean forTraining) {
        float[] hidden = backbone.forwardHidden(batch, forTraining);
        lastBatchRows = batch.size();
        return head.forward(hidden, lastRows, forTraining);
    }

    /** Backpropagates ∂L/∂score of each row given to {@link #forward} into every trainable parameter. */
    public void backward(float[] dScores) {
        int n = lastBatchRows * config.hidden();
        if (dHidden.length < n) dHidden = new float[n];
        else java.util.Arrays.fill(dHidden, 0, n, 0f);
        head.backward(dScores, dHidden);
        backbone.backwardHidden(dHidden);
    }

    /** config.json's pad_token_id (else eos_token_id; −1 for neither): tokens never read as the last one. */
    public int padTokenId() {
        return padTokenId;
    }

    /** One score per (prompt, completion) pair of token-id arrays: r(prompt + completion). */
    public double[] score(List<int[]> prompts, List<int[]> completions) {
        if (prompts.size() != completions.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + completions.size() + " completions");
        }
        double[] out = new double[prompts.size()];
        for (int s = 0; s < out.length; s += scoreBatchSize) {
            int e = Math.min(out.length, s + scoreBatchSize);
            BatchBuilder b = new BatchBuilder();
            int[] rows = new int[e - s];
            for (int i = s; i < e; i++) {
                if (prompts.get(i).length + completions.get(i).length == 0) {
                    throw new IllegalArgumentException("sequence " + i + " is empty: nothing to score");
                }
                int start = b.tokens();
                b.addSequence(prompts.get(i), completions.get(i));
                int[] p = prompts.get(i);
                int c = lastNonPad(completions.get(i), padTokenId);
                // HF: the rightmost non-pad position of prompt+completion, 0 when all are pad
                rows[i - s] = start + (c >= 0 ? p.length + c : Math.max(0, lastNonPad(p, padTokenId)));
            }
            float[] r = forward(b.build(), rows, false);
            for (int i = s; i < e; i++) out[i] = r[i - s];
        }
        return out;
    }

    /** A preference pair's two scores. */
    public record PairScores(double[] chosen, double[] rejected) {}

    /** Scores chosen and rejected completions of each prompt, computing the shared prompt once. */
    public PairScores scorePairs(List<int[]> prompts, List<int[]> chosen, List<int[]> rejected) {
        int n = prompts.size();
        double[] c = new double[n], r = new double[n];
        for (int s = 0; s < n; s += scoreBatchSize) {
            int e = Math.min(n, s + scoreBatchSize);
            PackedPairs p = PackedPairs.of(prompts.subList(s, e), chosen.subList(s, e), rejected.subList(s, e), padTokenId);
            float[] v = forward(p.batch(), p.lastRows(), false);
            for (int i = s; i < e; i++) {
                c[i] = v[2 * (i - s)];
                r[i] = v[2 * (i - s) + 1];
            }
        }
        return new PairScores(c, r);
    }

    /** The index of the rightmost id ≠ pad, or −1 when every id is pad (pad &lt; 0 matches no id). */
    static int lastNonPad(int[] ids, int pad) {
        for (int i = ids.length - 1; i >= 0; i--) if (ids[i] != pad) return i;
        return -1;
    }

    /**
     * Preference pairs packed with the prompt shared (BatchBuilder prefix sharing); lastRows[2i] and
     * lastRows[2i+1] are the scored tokens (the last non-pad, see the class comment) of prompt+chosen and
     * prompt+rejected of pair i.
     */
    public record PackedPairs(Batch batch, int[] lastRows) {
        public static PackedPairs of(List<int[]> prompts, List<int[]> chosen, List<int[]> rejected, int padTokenId) {
            BatchBuilder b = new BatchBuilder();
            int n = prompts.size();
            int[] rows = new int[2 * n];
            for (int i = 0; i < n; i++) {
                BatchBuilder.Prompt p = b.addPrompt(prompts.get(i));
                rows[2 * i] = last(b, p, prompts.get(i), chosen.get(i), i, padTokenId);
                rows[2 * i + 1] = last(b, p, prompts.get(i), rejected.get(i), i, padTokenId);
            }
            return new PackedPairs(b.build(), rows);
        }

        private static int last(BatchBuilder b, BatchBuilder.Prompt p, int[] prompt, int[] completion, int i, int pad) {
            if (prompt.length + completion.length == 0) throw new IllegalArgumentException("pair " + i + " has an empty prompt and completion");
            int start = b.tokens();
            if (completion.length > 0) b.addCompletion(p, completion);
            int c = lastNonPad(completion, pad);
            if (c >= 0) return start + c;
            int q = lastNonPad(prompt, pad);
            return p.start() + Math.max(0, q); // HF: all-pad rows read position 0
        }
    }
}
