package align4j.tensor;

/** Token (and, for GPT-2, learned position) embeddings: out[r] = wte[tokens[r]] (+ wpe[positions[r]]). */
public final class Embedding {
    private Embedding() {}

    /** wpe may be null (Llama family). */
    public static void forward(float[] out, int[] tokens, float[] wte, int[] positions, float[] wpe, int rows, int c) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dwte, dwpe += scattered dout (either may be null when frozen or absent); deterministic order. */
    public static void backward(float[] dwte, float[] dwpe, float[] dout, int[] tokens, int[] positions, int rows, int c) { throw new UnsupportedOperationException("not yet implemented"); }
}
