package align4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector helpers shared by the layer kernels, on float[] slices with explicit offsets. Every loop
 * runs full vectors, then a scalar tail. Reductions keep one partial sum per lane and add the lanes
 * in a fixed tree ({@link #sumLanes}).
 *
 * <p>Determinism: {@code reduceLanes(ADD)} may add lanes in any order and {@code lanewise(EXP)}
 * is a math-library call in compiled code but a per-lane Math.exp in the interpreter, so either
 * could change a result between the first call and a JIT-compiled later one. The kernels therefore
 * use only IEEE-exact lane operations (add, mul, fma, min, max, lane shuffles): {@link #exp} is a
 * Cephes-style polynomial, and its scalar twin performs the same operations, so tails and vector
 * lanes agree bit for bit on every run and tier. {@code VectorMathTest} (src/test) checks {@link #exp} against
 * {@link Math#exp} and the reductions against plain double sums.
 */
public final class VectorMath {
    /** The preferred species (16 lanes with AVX-512). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lanes in {@link #F}. */
    public static final int L = F.length();

    private static final VectorShuffle<Float>[] FOLD = folds();

    private VectorMath() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] f = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int k = L >> (s + 1);
            f[s] = VectorShuffle.fromOp(F, i -> i ^ k);
        }
        return f;
    }

    /** Σ of the lanes of v, in a fixed pairwise order. */
    public static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> f : FOLD) v = v.add(v.rearrange(f));
        return v.lane(0);
    }

    // exp(x) = 2^n·e^r with n = round(x/ln 2), r = x − n·ln 2 split in two parts (Cephes expf).
    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    /** Adding 1.5·2^23 rounds a float of magnitude below 2^22 to an integer held in its low bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    /** Below LO the result is 0 (2^−126 is the smallest normal scale); above HI it saturates at e^88. */
    private static final float LO = -87.33654f, HI = 88f;

    /** e^x to about 2 ulp; 0 below −87.34, e^88 above 88. */
    public static FloatVector exp(FloatVector x) {
        // the clamps as compare-and-blend, not max/min: the lanewise MAX and MIN of floats follow Math.max's NaN and
        // signed-zero rules, which x86 has no instruction for, and C2's five-instruction sequence for each is slow
        // (docs/performance.md#vector-math); a compare and a blend give the same value for every input, NaN included
        VectorMask<Float> under = x.lt(LO);
        FloatVector c = x.blend(LO, under);
        c = c.blend(HI, c.compare(VectorOperators.GT, HI));
        FloatVector t = c.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(P0, P1);
        p = p.fma(r, FloatVector.broadcast(F, P2));
        p = p.fma(r, FloatVector.broadcast(F, P3));
        p = p.fma(r, FloatVector.broadcast(F, P4));
        p = p.fma(r, FloatVector.broadcast(F, P5));
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = t.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.mul(bits.reinterpretAsFloats());
        return y.blend(0f, under);
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations, the same bits. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(c, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        p = p * (r * r) + r + 1f;
        float y = p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
        return x < LO ? 0f : y;
    }

    /** Σ a[ao+i]·b[bo+i] for i < n. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo+i] += alpha·x[xo+i] for i < n. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** y[yo+i] += x[xo+i] for i < n. */
    public static void add(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xo + i).add(FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += x[xo + i];
    }

    /** x[xo+i] *= alpha for i < n. */
    public static void scale(float alpha, float[] x, int xo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xo + i).mul(va).intoArray(x, xo + i);
        }
        for (; i < n; i++) x[xo + i] *= alpha;
    }

    /** Σ x[xo+i] for i < n. */
    public static float sum(float[] x, int xo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) acc = acc.add(FloatVector.fromArray(F, x, xo + i));
        float s = sumLanes(acc);
        for (; i < n; i++) s += x[xo + i];
        return s;
    }

    /** max x[xo+i] for i < n (−∞ when n == 0). */
    public static float max(float[] x, int xo, int n) {
        int i = 0;
        // four accumulators: C2 emits the lanewise MAX of floats (Math.max's NaN and signed-zero rules) as a chain
        // of about five instructions, so one accumulator ran at a vector per ~12 cycles; the maximum is exact in
        // any order, so the result does not change
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), acc1 = acc, acc2 = acc, acc3 = acc;
        for (int bound = F.loopBound(n) - 3 * L; i < bound; i += 4 * L) {
            acc = acc.max(FloatVector.fromArray(F, x, xo + i));
            acc1 = acc1.max(FloatVector.fromArray(F, x, xo + i + L));
            acc2 = acc2.max(FloatVector.fromArray(F, x, xo + i + 2 * L));
            acc3 = acc3.max(FloatVector.fromArray(F, x, xo + i + 3 * L));
        }
        for (int bound = F.loopBound(n); i < bound; i += L) acc = acc.max(FloatVector.fromArray(F, x, xo + i));
        float m = acc.max(acc1).max(acc2.max(acc3)).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    /** Σ exp(x[xo+i] − shift) for i < n, without storing the exponentials. */
    public static float sumExp(float[] x, int xo, int n, float shift) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = acc.add(exp(FloatVector.fromArray(F, x, xo + i).sub(vs)));
        }
        float s = sumLanes(acc);
        for (; i < n; i++) s += exp(x[xo + i] - shift);
        return s;
    }

    /**
     * Σ exp(scale·(x[xo+i] − shift)) for i < n, without storing the exponentials (WPO's Σp², scale 2). Kept apart from
     * {@link #sumExp}, which is the log-softmax's inner loop on every training step and so has no multiply to spare.
     */
    public static float sumExpScaled(float[] x, int xo, int n, float shift, float scale) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = acc.add(exp(FloatVector.fromArray(F, x, xo + i).sub(vs).mul(scale)));
        }
        float s = sumLanes(acc);
        for (; i < n; i++) s += exp((x[xo + i] - shift) * scale);
        return s;
    }

    /** out[oo+i] = exp(x[xo+i] − shift) for i < n (out may be x); returns their sum. */
    public static float expShift(float[] out, int oo, float[] x, int xo, int n, float shift) {
        int i = 0;
        FloatVector vs = FloatVector.broadcast(F, shift);
        FloatVector acc = FloatVector.zero(F);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector e = exp(FloatVector.fromArray(F, x, xo + i).sub(vs));
            e.intoArray(out, oo + i);
            acc = acc.add(e);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            float e = exp(x[xo + i] - shift);
            out[oo + i] = e;
            s += e;
        }
        return s;
    }
}
