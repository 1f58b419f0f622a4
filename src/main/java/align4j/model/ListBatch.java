package align4j.model;

/**
 * Rankings packed with prefix sharing, {@link PairBatch} generalised to K completions: each list's prompt is
 * packed once and each of its completions is a segment whose parent is the prompt
 * (docs/DESIGN.md#packed-batches-and-prefix-sharing). Sequence {@code first[i] + k} is list i's k-th completion.
 *
 * @param first            per list, the sequence index of its first completion (and, at index lists, the total)
 * @param completionTokens per sequence, the number of scored completion tokens
 * @param lastRows         per sequence, the row of its last non-pad token (what a reward model scores)
 */
public record ListBatch(Batch batch, int[] first, int[] completionTokens, int[] lastRows) {

    /** pad: the reward model's pad id (never read as the last token; −1 for none). */
    public static ListBatch of(int[][] prompts, int[][][] completions, int pad) {
        BatchBuilder b = new BatchBuilder();
        int n = prompts.length;
        int[] first = new int[n + 1];
        for (int i = 0; i < n; i++) first[i + 1] = first[i] + completions[i].length;
        int[] lengths = new int[first[n]], rows = new int[first[n]];
        for (int i = 0; i < n; i++) {
            int[] prompt = prompts[i];
            BatchBuilder.Prompt p = b.addPrompt(prompt);
            for (int k = 0; k < completions[i].length; k++) {
                int[] c = completions[i][k];
                int s = first[i] + k;
                if (prompt.length + c.length == 0) throw new IllegalArgumentException("list " + i + " has an empty prompt and completion");
                int start = b.tokens();
                b.addCompletion(p, c);
                lengths[s] = prompt.length == 0 ? c.length - 1 : c.length;
                // as RewardModel.PackedPairs: the rightmost non-pad token, HF's all-pad rows read position 0
                int last = RewardModel.lastNonPad(c, pad);
                rows[s] = last >= 0 ? start + last : p.start() + Math.max(0, RewardModel.lastNonPad(prompt, pad));
            }
        }
        return new ListBatch(b.build(), first, lengths, rows);
    }

    public int lists() {
        return first.length - 1;
    }

    /** Per list, per completion: Σ of the completion's token log-probs from the head's result. */
    public double[][] sums(LmHead.Result r) {
        double[] logp = new double[first[lists()]];
        Batch.Targets t = batch.targets();
        for (int j = 0; j < t.size(); j++) logp[t.seq()[j]] += r.logp()[j];
        return split(logp);
    }

    /** Per-sequence values as one array per list. */
    public double[][] split(double[] perSequence) {
        double[][] out = new double[lists()][];
        for (int i = 0; i < out.length; i++) out[i] = java.util.Arrays.copyOfRange(perSequence, first[i], first[i + 1]);
        return out;
    }

    /** Per target token, ∂L/∂logp = scale·∂L/∂(its completion's sum). */
    public float[] tokenGrads(double[][] d, double scale) {
        Batch.Targets t = batch.targets();
        double[] flat = flatten(d);
        float[] g = new float[t.size()];
        for (int j = 0; j < g.length; j++) g[j] = (float) (scale * flat[t.seq()[j]]);
        return g;
    }

    /** Per-list values as one array indexed by sequence. */
    public double[] flatten(double[][] perList) {
        double[] flat = new double[first[lists()]];
        for (int i = 0; i < perList.length; i++) System.arraycopy(perList[i], 0, flat, first[i], perList[i].length);
        return flat;
    }
}
