package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * GELU, tanh form (GPT-2 "gelu_new"): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). The plain algorithm is
 * {@code GeluTest.reference} (src/test).
 */
public final class Gelu {
    private static final float K = (float) Math.sqrt(2.0 / Math.PI);
    private static final float A = 0.044715f;
    /** Chunks are whole vectors (at least this many), so only the array's end runs the scalar tail. */
    private static final int MIN_VECTORS = 1 << 10;

    private Gelu() {}

    public static void forward(float[] out, float[] x, int n) {
        Parallel.forChunks((n + VectorMath.L - 1) / VectorMath.L, MIN_VECTORS, (chunk, b0, b1) -> {
            int s = b0 * VectorMath.L, e = Math.min(n, b1 * VectorMath.L);
            FloatVector half = FloatVector.broadcast(VectorMath.F, 0.5f), one = FloatVector.broadcast(VectorMath.F, 1f);
            int i = s;
            for (int bound = s + VectorMath.F.loopBound(e - s); i < bound; i += VectorMath.L) {
                FloatVector v = FloatVector.fromArray(VectorMath.F, x, i);
                FloatVector t = tanh(inner(v));
                v.mul(half).mul(t.add(one)).intoArray(out, i);
            }
            for (; i < e; i++) {
                float v = x[i];
                out[i] = v * 0.5f * (tanh(inner(v)) + 1f);
            }
        });
    }

    /**
     * dx += dout·gelu'(x), with gelu'(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
     * and t = tanh(√(2/π)·(x + 0.044715·x³)).
     */
    public static void backward(float[] dx, float[] dout, float[] x, int n) {
        Parallel.forChunks((n + VectorMath.L - 1) / VectorMath.L, MIN_VECTORS, (chunk, b0, b1) -> {
            int s = b0 * VectorMath.L, e = Math.min(n, b1 * VectorMath.L);
            FloatVector half = FloatVector.broadcast(VectorMath.F, 0.5f), one = FloatVector.broadcast(VectorMath.F, 1f);
            FloatVector k3a = FloatVector.broadcast(VectorMath.F, 3f * A), vk = FloatVector.broadcast(VectorMath.F, K);
            int i = s;
            for (int bound = s + VectorMath.F.loopBound(e - s); i < bound; i += VectorMath.L) {
                FloatVector v = FloatVector.fromArray(VectorMath.F, x, i);
                FloatVector t = tanh(inner(v));
                FloatVector dinner = v.mul(v).fma(k3a, one).mul(vk);
                FloatVector sech2 = one.sub(t.mul(t));
                FloatVector g = t.add(one).add(v.mul(sech2).mul(dinner)).mul(half);
                g.fma(FloatVector.fromArray(VectorMath.F, dout, i), FloatVector.fromArray(VectorMath.F, dx, i)).intoArray(dx, i);
            }
            for (; i < e; i++) {
                float v = x[i];
                float t = tanh(inner(v));
                float g = ((t + 1f) + v * (1f - t * t) * (Math.fma(v * v, 3f * A, 1f) * K)) * 0.5f;
                dx[i] = Math.fma(g, dout[i], dx[i]);
            }
        });
    }

    /** tanh(u) = 1 − 2/(e^{2u} + 1), from the deterministic {@link VectorMath#exp}. */
    private static FloatVector tanh(FloatVector u) {
        FloatVector one = FloatVector.broadcast(VectorMath.F, 1f);
        return one.sub(FloatVector.broadcast(VectorMath.F, 2f).div(VectorMath.exp(u.add(u)).add(one)));
    }

    private static float tanh(float u) {
        return 1f - 2f / (VectorMath.exp(u + u) + 1f);
    }

    /** √(2/π)·(x + 0.044715·x³). */
    private static FloatVector inner(FloatVector v) {
        return v.mul(v).mul(v).fma(FloatVector.broadcast(VectorMath.F, A), v).mul(K);
    }

    private static float inner(float v) {
        return Math.fma(v * v * v, A, v) * K;
    }
}
