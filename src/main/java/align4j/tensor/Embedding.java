package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Token (and, for GPT-2, learned position) embeddings: out[r] = wte[tokens[r]] (+ wpe[positions[r]]).
 * The plain algorithm is {@code EmbeddingTest.reference} (src/test).
 */
public final class Embedding {
    private static final int MIN_ROWS = 16;

    private Embedding() {}

    /** wpe may be null (Llama family). */
    public static void forward(float[] out, int[] tokens, float[] wte, int[] positions, float[] wpe, int rows, int c) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c, t = tokens[r] * c;
                if (wpe == null) {
                    System.arraycopy(wte, t, out, o, c);
                    continue;
                }
                int p = positions[r] * c, i = 0;
                for (int bound = VectorMath.F.loopBound(c); i < bound; i += VectorMath.L) {
                    FloatVector.fromArray(VectorMath.F, wte, t + i).add(FloatVector.fromArray(VectorMath.F, wpe, p + i))
                            .intoArray(out, o + i);
                }
                for (; i < c; i++) out[o + i] = wte[t + i] + wpe[p + i];
            }
        });
    }

    /** {@link #forward} with the token embedding held as bfloat16 (--weights-dtype bf16): rows widen exactly. */
    public static void forward(float[] out, int[] tokens, Tensor wte, int[] positions, float[] wpe, int rows, int c) {
        if (wte.bf16 == null) {
            forward(out, tokens, wte.data, positions, wpe, rows, c);
            return;
        }
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                Bf16.widen(wte.bf16, tokens[r] * c, out, o, c);
                if (wpe != null) {
                    int p = positions[r] * c;
                    for (int i = 0; i < c; i++) out[o + i] += wpe[p + i];
                }
            }
        });
    }

    /**
     * dwte, dwpe += scattered dout (either may be null when frozen or absent). Parallel over column
     * blocks with rows in order, so repeated tokens are summed in the same order for every thread
     * count.
     */
    public static void backward(float[] dwte, float[] dwpe, float[] dout, int[] tokens, int[] positions, int rows, int c) {
        if (dwte == null && dwpe == null) return;
        int blocks = (c + VectorMath.L - 1) / VectorMath.L;
        Parallel.forChunks(blocks, 4, (chunk, b0, b1) -> {
            int c0 = b0 * VectorMath.L, n = Math.min(c, b1 * VectorMath.L) - c0;
            for (int r = 0; r < rows; r++) {
                int o = r * c + c0;
                if (dwte != null) VectorMath.add(dout, o, dwte, tokens[r] * c + c0, n);
                if (dwpe != null) VectorMath.add(dout, o, dwpe, positions[r] * c + c0, n);
            }
        });
    }
}
