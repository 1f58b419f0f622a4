package align4j.tensor;

/**
 * Rotary position embedding in Hugging Face's half-split layout (rotate_half): for a head vector x of
 * size D, out[i] = x[i]·cos − x[i + D/2]·sin and out[i + D/2] = x[i + D/2]·cos + x[i]·sin with angle
 * pos·invFreq[i], invFreq[i] = theta^(−2i/D) (optionally rescaled by rope_scaling).
 */
public final class Rope {
    public Rope(int headDim, float theta, RopeScaling scaling) { throw new UnsupportedOperationException("not yet implemented"); }

    /**
     * Rotates, in place, the first {@code ropeHeads} heads of each row of {@code qkv} (q heads then k
     * heads, each headDim wide, starting at column 0; rows are rowStride apart) at positions pos[r].
     */
    public void forward(float[] qkv, int[] pos, int rows, int rowStride, int ropeHeads) { throw new UnsupportedOperationException("not yet implemented"); }

    /** The transpose rotation, in place on the gradient of the same columns. */
    public void backward(float[] dqkv, int[] pos, int rows, int rowStride, int ropeHeads) { throw new UnsupportedOperationException("not yet implemented"); }
}
