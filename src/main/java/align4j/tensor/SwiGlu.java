package align4j.tensor;

/**
 * SwiGLU (Llama MLP): gateUp[r] holds the gate projection in columns [0, inter) and the up projection
 * in [inter, 2·inter); out[r, j] = silu(gate[r, j])·up[r, j] with silu(g) = g·σ(g).
 */
public final class SwiGlu {
    private SwiGlu() {}

    public static void forward(float[] out, float[] gateUp, int rows, int inter) { throw new UnsupportedOperationException("not yet implemented"); }

    /** dGateUp += ∂L/∂gateUp. */
    public static void backward(float[] dGateUp, float[] dout, float[] gateUp, int rows, int inter) { throw new UnsupportedOperationException("not yet implemented"); }
}
