package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * SwiGLU (Llama MLP): gateUp[r] holds the gate projection in columns [0, inter) and the up projection
 * in [inter, 2·inter); out[r, j] = silu(gate[r, j])·up[r, j] with silu(g) = g·σ(g). The plain algorithm is
 * {@code SwiGluTest.reference} (src/test).
 */
public final class SwiGlu {
    private static final int MIN_ROWS = 4;

    private SwiGlu() {}

    public static void forward(float[] out, float[] gateUp, int rows, int inter) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            FloatVector one = FloatVector.broadcast(VectorMath.F, 1f);
            int bound = VectorMath.F.loopBound(inter);
            for (int r = r0; r < r1; r++) {
                int g0 = 2 * r * inter, u0 = g0 + inter, o0 = r * inter;
                int j = 0;
                for (; j < bound; j += VectorMath.L) {
                    FloatVector g = FloatVector.fromArray(VectorMath.F, gateUp, g0 + j);
                    FloatVector sig = one.div(VectorMath.exp(g.neg()).add(one));
                    g.mul(sig).mul(FloatVector.fromArray(VectorMath.F, gateUp, u0 + j)).intoArray(out, o0 + j);
                }
                for (; j < inter; j++) {
                    float g = gateUp[g0 + j];
                    out[o0 + j] = g * (1f / (VectorMath.exp(-g) + 1f)) * gateUp[u0 + j];
                }
            }
        });
    }

    /** dGateUp += ∂L/∂gateUp: dgate = dout·up·σ(g)·(1 + g·(1 − σ(g))), dup = dout·silu(g). */
    public static void backward(float[] dGateUp, float[] dout, float[] gateUp, int rows, int inter) {
        Parallel.forChunks(rows, MIN_ROWS, (chunk, r0, r1) -> {
            FloatVector one = FloatVector.broadcast(VectorMath.F, 1f);
            int bound = VectorMath.F.loopBound(inter);
            for (int r = r0; r < r1; r++) {
                int g0 = 2 * r * inter, u0 = g0 + inter, o0 = r * inter;
                int j = 0;
                for (; j < bound; j += VectorMath.L) {
                    FloatVector g = FloatVector.fromArray(VectorMath.F, gateUp, g0 + j);
                    FloatVector u = FloatVector.fromArray(VectorMath.F, gateUp, u0 + j);
                    FloatVector d = FloatVector.fromArray(VectorMath.F, dout, o0 + j);
                    FloatVector sig = one.div(VectorMath.exp(g.neg()).add(one));
                    FloatVector silu = g.mul(sig);
                    FloatVector dsilu = sig.mul(one.add(g.mul(one.sub(sig))));
                    d.mul(u).fma(dsilu, FloatVector.fromArray(VectorMath.F, dGateUp, g0 + j)).intoArray(dGateUp, g0 + j);
                    d.fma(silu, FloatVector.fromArray(VectorMath.F, dGateUp, u0 + j)).intoArray(dGateUp, u0 + j);
                }
                for (; j < inter; j++) {
                    float g = gateUp[g0 + j], u = gateUp[u0 + j], d = dout[o0 + j];
                    float sig = 1f / (1f + VectorMath.exp(-g));
                    dGateUp[g0 + j] += d * u * (sig * (1f + g * (1f - sig)));
                    dGateUp[u0 + j] += d * (g * sig);
                }
            }
        });
    }
}
