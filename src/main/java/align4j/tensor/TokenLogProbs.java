package align4j.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Fused log-softmax and gather at target tokens: the log-probability of each row's target under the
 * row's logits, without materialising log-softmax. A negative target (TRL's label pad −100) marks a
 * row without a target: its logp is 0 and its gradient is 0. The plain algorithm is
 * {@code TokenLogProbsTest.reference} (src/test).
 */
public final class TokenLogProbs {
    private static final int MIN_ROWS = 1;

    private TokenLogProbs() {}

    /**
     * logp[r] = logits[r, targets[r]] − logsumexp(logits[r, :]); lse[r] saves the log-sum-exp; when
     * logitSum != null, logitSum[r] = Σ_v logits[r, v] (for TRL's logits/chosen metric).
     */
    public static void forward(float[] logp, float[] lse, float[] logitSum, float[] logits, int[] targets,
                               int rows, int vocab) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * vocab;
                FloatVector vmax = FloatVector.broadcast(VectorMath.F, Float.NEGATIVE_INFINITY), vmax1 = vmax, vmax2 = vmax, vmax3 = vmax;
                FloatVector vsum = FloatVector.zero(VectorMath.F);
                int v = 0, bound = VectorMath.F.loopBound(vocab), L = VectorMath.L;
                // the maximum in four chains (float MAX is a five-instruction sequence in C2, so one chain ran at a
                // vector per ~12 cycles; the maximum is exact in any order); the sum stays one chain, in order
                for (; v < bound - 3 * L; v += 4 * L) {
                    FloatVector x0 = FloatVector.fromArray(VectorMath.F, logits, o + v);
                    FloatVector x1 = FloatVector.fromArray(VectorMath.F, logits, o + v + L);
                    FloatVector x2 = FloatVector.fromArray(VectorMath.F, logits, o + v + 2 * L);
                    FloatVector x3 = FloatVector.fromArray(VectorMath.F, logits, o + v + 3 * L);
                    vmax = vmax.max(x0);
                    vmax1 = vmax1.max(x1);
                    vmax2 = vmax2.max(x2);
                    vmax3 = vmax3.max(x3);
                    vsum = vsum.add(x0).add(x1).add(x2).add(x3);
                }
                for (; v < bound; v += L) {
                    FloatVector x = FloatVector.fromArray(VectorMath.F, logits, o + v);
                    vmax = vmax.max(x);
                    vsum = vsum.add(x);
                }
                float m = vmax.max(vmax1).max(vmax2.max(vmax3)).reduceLanes(VectorOperators.MAX), sum = VectorMath.sumLanes(vsum);
                for (; v < vocab; v++) {
                    m = Math.max(m, logits[o + v]);
                    sum += logits[o + v];
                }
                float l = m + (float) StrictMath.log(VectorMath.sumExp(logits, o, vocab, m));
                lse[r] = l;
                int t = targets[r];
                logp[r] = t < 0 ? 0f : logits[o + t] - l;
                if (logitSum != null) logitSum[r] = sum;
            }
        });
    }

    /** In place: logits[r, :] becomes dlogp[r]·(onehot(targets[r]) − softmax(logits[r, :])). */
    public static void backward(float[] logits, float[] dlogp, float[] lse, int[] targets, int rows, int vocab) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * vocab, t = targets[r];
                if (t < 0) {
                    Arrays.fill(logits, o, o + vocab, 0f);
                    continue;
                }
                float g = dlogp[r], l = lse[r];
                FloatVector vl = FloatVector.broadcast(VectorMath.F, l), vg = FloatVector.broadcast(VectorMath.F, -g);
                int v = 0;
                for (int bound = VectorMath.F.loopBound(vocab); v < bound; v += VectorMath.L) {
                    VectorMath.exp(FloatVector.fromArray(VectorMath.F, logits, o + v).sub(vl)).mul(vg)
                            .intoArray(logits, o + v);
                }
                for (; v < vocab; v++) logits[o + v] = VectorMath.exp(logits[o + v] - l) * -g;
                logits[o + t] += g;
            }
        });
    }
}
