package align4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Softmax, log-softmax and log-sum-exp over one float[] slice (samplers, small policies, value
 * heads), with their backwards. Shifted by the maximum, so large logits do not overflow. The plain
 * algorithms are {@code SoftmaxTest.softmax} and {@code SoftmaxTest.logSoftmax} (src/test).
 */
public final class Softmax {
    private Softmax() {}

    /** log Σ exp(x[xo+i]) for i < n; −∞ when every entry is −∞. */
    public static float logSumExp(float[] x, int xo, int n) {
        float m = VectorMath.max(x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) return m;
        return m + (float) StrictMath.log(VectorMath.sumExp(x, xo, n, m));
    }

    /** out[oo+i] = exp(x[xo+i]) / Σ exp(x) (out may be x). */
    public static void forward(float[] out, int oo, float[] x, int xo, int n) {
        float m = VectorMath.max(x, xo, n);
        float s = VectorMath.expShift(out, oo, x, xo, n, m);
        VectorMath.scale(1f / s, out, oo, n);
    }

    /** dx += p∘(dout − Σ dout·p), given p = softmax(x). */
    public static void backward(float[] dx, int dxo, float[] dout, int doo, float[] p, int po, int n) {
        float dp = VectorMath.dot(dout, doo, p, po, n);
        int i = 0;
        FloatVector vdp = FloatVector.broadcast(VectorMath.F, dp);
        for (int bound = VectorMath.F.loopBound(n); i < bound; i += VectorMath.L) {
            FloatVector vp = FloatVector.fromArray(VectorMath.F, p, po + i);
            FloatVector g = FloatVector.fromArray(VectorMath.F, dout, doo + i).sub(vdp);
            vp.fma(g, FloatVector.fromArray(VectorMath.F, dx, dxo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) dx[dxo + i] += p[po + i] * (dout[doo + i] - dp);
    }

    /** out[oo+i] = x[xo+i] − logsumexp(x) (out may be x). */
    public static void logForward(float[] out, int oo, float[] x, int xo, int n) {
        float lse = logSumExp(x, xo, n);
        int i = 0;
        FloatVector vl = FloatVector.broadcast(VectorMath.F, lse);
        for (int bound = VectorMath.F.loopBound(n); i < bound; i += VectorMath.L) {
            FloatVector.fromArray(VectorMath.F, x, xo + i).sub(vl).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = x[xo + i] - lse;
    }

    /** dx += dout − exp(logp)·Σ dout, given logp = logSoftmax(x). */
    public static void logBackward(float[] dx, int dxo, float[] dout, int doo, float[] logp, int lo, int n) {
        float total = VectorMath.sum(dout, doo, n);
        int i = 0;
        FloatVector vt = FloatVector.broadcast(VectorMath.F, -total);
        for (int bound = VectorMath.F.loopBound(n); i < bound; i += VectorMath.L) {
            FloatVector p = VectorMath.exp(FloatVector.fromArray(VectorMath.F, logp, lo + i));
            FloatVector g = p.fma(vt, FloatVector.fromArray(VectorMath.F, dout, doo + i));
            g.add(FloatVector.fromArray(VectorMath.F, dx, dxo + i)).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) dx[dxo + i] += dout[doo + i] - VectorMath.exp(logp[lo + i]) * total;
    }
}
