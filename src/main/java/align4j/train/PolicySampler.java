package align4j.train;

import align4j.model.Batch;
import align4j.model.BatchBuilder;
import align4j.model.Transformer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Rollouts sampled from the current policy (the {@link RolloutSampler} the RL commands use): each
 * completion grows one token at a time from softmax(logits/T), restricted by top-k and top-p, until a
 * stop token (kept as the completion's last token, as TRL keeps EOS) or {@code maxNewTokens}.
 * Each completion has its own random stream split from the seed, so results do not depend on batching.
 */
public final class PolicySampler implements RolloutSampler {
    private final Transformer model;
    private final double temperature, topP;
    private final int topK, maxNewTokens;
    private final int[] stopTokens;

    /** topK ≤ 0 and topP ≥ 1 disable those filters; stopTokens may be empty. */
    public PolicySampler(Transformer model, double temperature, int topK, double topP, int maxNewTokens, int[] stopTokens) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (!(topP > 0)) throw new IllegalArgumentException("top_p must be > 0, got " + topP);
        if (maxNewTokens < 1) throw new IllegalArgumentException("the completion length limit must be ≥ 1, got " + maxNewTokens);
        this.model = model;
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.maxNewTokens = maxNewTokens;
        this.stopTokens = stopTokens.clone();
    }

    @Override
    public Rollouts sample(int[][] prompts, int perPrompt, long seed) {
        int n = prompts.length * perPrompt;
        int[][] p = new int[n][], c = new int[n][];
        boolean[] truncated = new boolean[n];
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] rng = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            p[i] = prompts[i / perPrompt];
            c[i] = new int[0];
            rng[i] = root.split();
        }
        boolean[] done = new boolean[n];
        int vocab = model.head().vocab(), hidden = model.cfg.hidden();
        float[] w = model.head().weight().data;
        double[] logits = new double[vocab];
        for (int step = 0; step < maxNewTokens; step++) {
            BatchBuilder bb = new BatchBuilder();
            int[] lastRow = new int[n];
            int active = 0;
            for (int i = 0; i < n; i++) {
                if (done[i]) continue;
                int start = bb.tokens();
                bb.addSequence(p[i], c[i]);
                lastRow[i] = bb.tokens() - 1;
                if (start > lastRow[i]) throw new IllegalStateException("empty prompt");
                active++;
            }
            if (active == 0) break;
            Batch b = bb.build();
            float[] h = model.forwardHidden(b, false);
            for (int i = 0; i < n; i++) {
                if (done[i]) continue;
                int o = lastRow[i] * hidden;
                for (int v = 0; v < vocab; v++) {
                    double s = 0;
                    for (int k = 0; k < hidden; k++) s += (double) h[o + k] * w[v * hidden + k];
                    logits[v] = s / temperature;
                }
                int tok = draw(logits, rng[i]);
                c[i] = Arrays.copyOf(c[i], c[i].length + 1);
                c[i][c[i].length - 1] = tok;
                for (int s : stopTokens) if (s == tok) done[i] = true;
            }
        }
        for (int i = 0; i < n; i++) truncated[i] = !done[i];
        return new Rollouts(p, c, truncated);
    }

    /** One draw from softmax(logits) after top-k and top-p (nucleus) filtering. */
    private int draw(double[] logits, SplittableRandom rng) {
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
        int keep = topK > 0 ? Math.min(topK, v) : v;
        double max = logits[order[0]], z = 0;
        double[] prob = new double[keep];
        for (int j = 0; j < keep; j++) z += prob[j] = Math.exp(logits[order[j]] - max);
        if (topP < 1) {
            double cum = 0;
            int cut = keep;
            for (int j = 0; j < keep; j++) {
                cum += prob[j] / z;
                if (cum >= topP) {
                    cut = j + 1;
                    break;
                }
            }
            keep = cut;
            z = 0;
            for (int j = 0; j < keep; j++) z += prob[j];
        }
        double u = rng.nextDouble() * z, cum = 0;
        for (int j = 0; j < keep; j++) {
            cum += prob[j];
            if (u < cum) return order[j];
        }
        return order[keep - 1];
    }
}
