package align4j.model;

import align4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
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
 * RewardModel rm = RewardModelFolder.load(Path.of("rm"));    // a folder `align4j reward` saved, or HF's
 * double[] r = rm.score(prompts, completions);               // token ids, one score per pair of lists
 * }</pre>
 * Scoring is forward-only and runs in micro-batches of {@link #scoreBatchSize()} sequences. Not thread-safe:
 * one model holds one set of activation buffers.
 */
public final class RewardModel {
    private final ModelConfig config;
    private final Map<String, Tensor> tensors;
    private final Transformer backbone;
    private final ScalarHead head;
    private float[] dHidden = new float[0];
    private int lastBatchRows;
    private int scoreBatchSize = 8;
    private final int padTokenId;

    /**
     * A reward model on these weights (canonical names, {@link ParamNames}: the backbone's and
     * {@link ParamNames#SCORE}); {@code padTokenId} is the token never read as the last one (−1: none).
     * Folders are read and written by {@code align4j.io.RewardModelFolder}.
     */
    public RewardModel(ModelConfig config, Map<String, Tensor> tensors, int padTokenId) {
        this.config = config;
        this.tensors = tensors;
        this.backbone = new Transformer(config, tensors);
        this.head = new ScalarHead(tensors.get(ParamNames.SCORE), null);
        this.padTokenId = padTokenId;
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

    /** The weights by canonical name, in a fixed order (read-only view; the tensors themselves are the model's). */
    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
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

    /** The pad id (config.json's pad_token_id, else eos_token_id, for a loaded folder; −1 for none): tokens never read as the last one. */
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
