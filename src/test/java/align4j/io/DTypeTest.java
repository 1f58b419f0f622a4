package align4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DTypeTest {
    private static float bf16(float f) {
        return DType.bf16ToFloat(DType.floatToBf16(f));
    }

    @Test
    void bf16RoundsHalfwayCasesToEven() {
        float ulp = 0x1p-7f; // bfloat16 keeps 7 mantissa bits: spacing 2^-7 in [1, 2)
        assertEquals(1f, bf16(1f + ulp / 2));                  // tie, 1.0 has the even mantissa
        assertEquals(1f + 2 * ulp, bf16(1f + ulp + ulp / 2));  // tie, 1 + 2ulp has the even mantissa
        assertEquals(1f + ulp, bf16(1f + ulp / 2 + 0x1p-20f)); // just above the tie rounds up
        assertEquals(-1f - ulp, bf16(-1f - ulp + 0x1p-20f));   // sign is kept, nearest wins
    }

    @Test
    void bf16KeepsSpecialValuesAndOverflowsToInfinity() {
        assertTrue(Float.isNaN(bf16(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, bf16(Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, bf16(-Float.MAX_VALUE)); // torch rounds FLT_MAX up to inf too
        assertEquals(0x3f80, DType.floatToBf16(1f) & 0xffff);
        assertEquals(-0f, bf16(-0f));
    }

    @Test
    void f16RoundsToNearestEvenAndSaturatesAtInfinity() {
        float ulp = 0x1p-10f;
        assertEquals(1f, DType.f16ToFloat(DType.floatToF16(1f + ulp / 2)));
        assertEquals(1f + 2 * ulp, DType.f16ToFloat(DType.floatToF16(1f + 1.5f * ulp)));
        assertEquals(65504f, DType.f16ToFloat(DType.floatToF16(65504f)));
        assertEquals(Float.POSITIVE_INFINITY, DType.f16ToFloat(DType.floatToF16(65520f)));
        assertEquals(0x3c00, DType.floatToF16(1f) & 0xffff);
    }

    @Test
    void torchNamesMapBothWays() {
        for (DType d : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            assertEquals(d, DType.fromTorchName(d.torchName()));
        }
        assertEquals(DType.BF16, DType.fromHeader("BF16"));
        assertEquals(null, DType.fromHeader("bf16"));
    }
}
