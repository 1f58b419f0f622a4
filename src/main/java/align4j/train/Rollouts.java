package align4j.train;

import align4j.data.DatasetRecord;
import align4j.model.Batch;
import align4j.model.BatchBuilder;

/**
 * A batch of sampled completions and the prompts they answer. Per-token arrays over the completions are
 * packed without padding: completion i owns indices [offsets[i], offsets[i+1]) (the layout of
 * {@link align4j.loss.Gae} and {@link align4j.loss.PpoRewards}). With group sampling (GRPO, RLOO) the
 * completions of one prompt are consecutive and share the same prompt array, which {@link #batch} computes
 * once (prefix sharing, {@link BatchBuilder#addPrompt}).
 *
 * @param truncated per completion: true when it ended by the length limit rather than a stop token
 *                  (TRL's missing-EOS penalty and {@code mask_truncated_completions} read it)
 * @param records   per completion, its prompt's dataset record, whose columns rewards may read (TRL's
 *                  {@code **kwargs}); null when the prompts came without records (token ids only)
 */
public record Rollouts(int[][] prompts, int[][] completions, boolean[] truncated, DatasetRecord[] records) {

    public Rollouts {
        if (prompts.length != completions.length || truncated.length != completions.length) {
            throw new IllegalArgumentException("prompts, completions and truncated flags differ in count");
        }
        if (records != null && records.length != completions.length) {
            throw new IllegalArgumentException("records and completions differ in count");
        }
        for (int i = 0; i < prompts.length; i++) {
            if (prompts[i].length == 0) throw new IllegalArgumentException("rollout " + i + " has an empty prompt");
            if (completions[i].length == 0) throw new IllegalArgumentException("rollout " + i + " has an empty completion");
        }
    }

    /** Rollouts whose prompts came without records. */
    public Rollouts(int[][] prompts, int[][] completions, boolean[] truncated) {
        this(prompts, completions, truncated, null);
    }

    /**
     * These rollouts, laid out as {@link RolloutSampler} lays them out (perPrompt consecutive completions per
     * prompt), with promptRecords[p] as the record of prompt p's completions; promptRecords null: unchanged.
     */
    public Rollouts withPromptRecords(DatasetRecord[] promptRecords, int perPrompt) {
        if (promptRecords == null) return this;
        if (promptRecords.length * perPrompt != size()) throw new IllegalArgumentException("records and prompts differ in count");
        DatasetRecord[] rec = new DatasetRecord[size()];
        for (int i = 0; i < rec.length; i++) rec[i] = promptRecords[i / perPrompt];
        return new Rollouts(prompts, completions, truncated, rec);
    }

    public int size() {
        return completions.length;
    }

    /** offsets[i] = completion tokens before completion i; offsets[size] = all completion tokens. */
    public int[] offsets() {
        int[] o = new int[size() + 1];
        for (int i = 0; i < size(); i++) o[i + 1] = o[i] + completions[i].length;
        return o;
    }

    public int completionTokens() {
        int n = 0;
        for (int[] c : completions) n += c.length;
        return n;
    }

    /**
     * The packed batch whose targets are exactly the completion tokens in packed order, so target j is
     * token j of {@link #offsets}. Consecutive rollouts holding the same prompt array share it.
     */
    public Batch batch() {
        BatchBuilder b = new BatchBuilder();
        BatchBuilder.Prompt shared = null;
        for (int i = 0; i < size(); i++) {
            if (shared == null || prompts[i] != prompts[i - 1]) shared = b.addPrompt(prompts[i]);
            b.addCompletion(shared, completions[i]);
        }
        return b.build();
    }

    /** The rollouts at the given indices, in that order. */
    public Rollouts select(int[] idx) {
        int[][] p = new int[idx.length][], c = new int[idx.length][];
        boolean[] t = new boolean[idx.length];
        DatasetRecord[] rec = records == null ? null : new DatasetRecord[idx.length];
        for (int i = 0; i < idx.length; i++) {
            p[i] = prompts[idx[i]];
            c[i] = completions[idx[i]];
            t[i] = truncated[idx[i]];
            if (rec != null) rec[i] = records[idx[i]];
        }
        return new Rollouts(p, c, t, rec);
    }

    /** The per-token values of the selected rollouts, packed in the order of idx. */
    public static float[] gather(float[] perToken, int[] offsets, int[] idx) {
        int n = 0;
        for (int i : idx) n += offsets[i + 1] - offsets[i];
        float[] out = new float[n];
        int o = 0;
        for (int i : idx) {
            int len = offsets[i + 1] - offsets[i];
            System.arraycopy(perToken, offsets[i], out, o, len);
            o += len;
        }
        return out;
    }
}
