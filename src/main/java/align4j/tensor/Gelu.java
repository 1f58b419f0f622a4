package align4j.tensor;

/** GELU, tanh form (GPT-2 "gelu_new"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
public final class Gelu {
    private Gelu() {}

    public static void forward(float[] out, float[] x, int n) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dx += dout·gelu'(x). */
    public static void backward(float[] dx, float[] dout, float[] x, int n) { throw new UnsupportedOperationException("not yet implemented"); }
}
