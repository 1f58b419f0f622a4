package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding in Hugging Face's half-split layout (rotate_half): for a head vector x of
 * size D, out[i] = x[i]·cos − x[i + D/2]·sin and out[i + D/2] = x[i + D/2]·cos + x[i]·sin with angle
 * pos·invFreq[i], invFreq[i] = theta^(−2i/D) (optionally rescaled by rope_scaling).
 *
 * <p>Rounding follows HF's LlamaRotaryEmbedding: invFreq in float32, the angle as the float32
 * product (float) pos·invFreq, then cos and sin of that float. Tables of cos/sin per position are
 * grown on demand (doubling) and shared by later calls. The plain algorithm is {@code RopeTest.reference}
 * (src/test).
 */
public final class Rope {
    private final int headDim;
    private final int half;
    private final float[] invFreq;
    /** cos and sin of pos·invFreq[i] at [pos·half + i]; replaced whole when grown. */
    private volatile float[][] tables = {new float[0], new float[0]};

    public Rope(int headDim, float theta, RopeScaling scaling) {
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE head dimension must be even, got " + headDim);
        this.headDim = headDim;
        this.half = headDim / 2;
        this.invFreq = inverseFrequencies(headDim, theta, scaling);
    }

    /** The (scaled) inverse frequencies, one per rotated pair. */
    public float[] invFreq() {
        return invFreq.clone();
    }

    /**
     * HF modeling_rope_utils: _compute_default_rope_parameters (1 / theta^(arange(0, D, 2) / D) in
     * float32), then the linear or llama3 rescaling, each step rounded to float32 as torch does.
     */
    static float[] inverseFrequencies(int headDim, float theta, RopeScaling scaling) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        String type = scaling == null || scaling.type() == null ? "default" : scaling.type();
        switch (type) {
            case "default" -> { }
            case "linear" -> {
                for (int i = 0; i < half; i++) inv[i] = inv[i] / scaling.factor();
            }
            case "llama3" -> llama3(inv, scaling);
            default -> throw new IllegalArgumentException("unsupported rope_scaling type '" + type
                    + "' (supported: default, linear, llama3)");
        }
        return inv;
    }

    /** HF _compute_llama3_parameters: keep high frequencies, divide low ones by factor, blend between. */
    private static void llama3(float[] inv, RopeScaling s) {
        float factor = s.factor(), low = s.lowFreqFactor(), high = s.highFreqFactor();
        float old = s.originalMaxPositions();
        float lowFreqWavelen = (float) ((double) s.originalMaxPositions() / low);
        float highFreqWavelen = (float) ((double) s.originalMaxPositions() / high);
        float twoPi = (float) (2 * Math.PI);
        float band = (float) ((double) high - low);
        for (int i = 0; i < inv.length; i++) {
            float wavelen = twoPi / inv[i];
            float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                float smooth = (old / wavelen - low) / band;
                scaled = (1f - smooth) * scaled / factor + smooth * scaled;
            }
            inv[i] = scaled;
        }
    }

    /**
     * Rotates, in place, the first {@code ropeHeads} heads of each row of {@code qkv} (q heads then k
     * heads, each headDim wide, starting at column 0; rows are rowStride apart) at positions pos[r].
     */
    public void forward(float[] qkv, int[] pos, int rows, int rowStride, int ropeHeads) {
        rotate(qkv, pos, rows, rowStride, ropeHeads, false);
    }

    /** The transpose rotation, in place on the gradient of the same columns. */
    public void backward(float[] dqkv, int[] pos, int rows, int rowStride, int ropeHeads) {
        rotate(dqkv, pos, rows, rowStride, ropeHeads, true);
    }

    private void rotate(float[] a, int[] pos, int rows, int rowStride, int ropeHeads, boolean transpose) {
        int maxPos = 0;
        for (int r = 0; r < rows; r++) maxPos = Math.max(maxPos, pos[r]);
        float[][] t = tablesFor(maxPos);
        float[] cos = t[0], sin = t[1];
        int bound = VectorMath.F.loopBound(half);
        Parallel.forChunks(rows, 8, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int tab = pos[r] * half;
                for (int h = 0; h < ropeHeads; h++) {
                    int x1 = r * rowStride + h * headDim, x2 = x1 + half;
                    int i = 0;
                    for (; i < bound; i += VectorMath.L) {
                        FloatVector c = FloatVector.fromArray(VectorMath.F, cos, tab + i);
                        FloatVector s = FloatVector.fromArray(VectorMath.F, sin, tab + i);
                        if (transpose) s = s.neg();
                        FloatVector a1 = FloatVector.fromArray(VectorMath.F, a, x1 + i);
                        FloatVector a2 = FloatVector.fromArray(VectorMath.F, a, x2 + i);
                        a1.mul(c).sub(a2.mul(s)).intoArray(a, x1 + i);
                        a2.mul(c).add(a1.mul(s)).intoArray(a, x2 + i);
                    }
                    for (; i < half; i++) {
                        float c = cos[tab + i], s = transpose ? -sin[tab + i] : sin[tab + i];
                        float a1 = a[x1 + i], a2 = a[x2 + i];
                        a[x1 + i] = a1 * c - a2 * s;
                        a[x2 + i] = a2 * c + a1 * s;
                    }
                }
            }
        });
    }

    /** Tables covering positions [0, maxPos], grown (doubling) when a larger position arrives. */
    private float[][] tablesFor(int maxPos) {
        float[][] t = tables;
        if ((long) (maxPos + 1) * half <= t[0].length) return t;
        synchronized (this) {
            t = tables;
            int have = t[0].length / Math.max(1, half);
            if (maxPos < have) return t;
            int n = Math.max(maxPos + 1, Math.max(64, 2 * have));
            float[] cos = new float[n * half], sin = new float[n * half];
            for (int p = 0; p < n; p++) {
                for (int i = 0; i < half; i++) {
                    float angle = (float) p * invFreq[i];
                    cos[p * half + i] = (float) StrictMath.cos(angle);
                    sin[p * half + i] = (float) StrictMath.sin(angle);
                }
            }
            tables = t = new float[][] {cos, sin};
            return t;
        }
    }
}
