package align4j.tensor;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * bfloat16 kept as the upper 16 bits of a float in a {@code short}: narrowing rounds to nearest, ties to
 * even (as torch's {@code .to(torch.bfloat16)} does); widening is exact (bits &lt;&lt; 16). Frozen weights held
 * this way cost half the memory of FP32 and are widened back to FP32 where they are read (GEMM packing,
 * embedding rows), so every product is still computed and accumulated in FP32.
 */
public final class Bf16 {
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;

    private Bf16() {}

    /** float → bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
    public static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** bfloat16 bits → float (exact). */
    public static float widen(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    public static short[] round(float[] x) {
        short[] h = new short[x.length];
        for (int i = 0; i < x.length; i++) h[i] = round(x[i]);
        return h;
    }

    /** dst[to .. to+n) = widened h[from .. from+n), 16 values per vector step. */
    public static void widen(short[] h, int from, float[] dst, int to, int n) {
        int i = 0;
        for (; i <= n - 16; i += 16) {
            IntVector wide = (IntVector) ShortVector.fromArray(S16, h, from + i).convertShape(VectorOperators.S2I, I16, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, to + i);
        }
        for (; i < n; i++) dst[to + i] = widen(h[from + i]);
    }
}
