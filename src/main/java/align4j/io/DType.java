package align4j.io;

import align4j.tensor.Bf16;
import java.util.Locale;

/**
 * Element types of the safetensors format (names as in its header). align4j computes in F32: F32, F16,
 * BF16 and F64 are widened to float on read; F32, F16 and BF16 can be written.
 */
public enum DType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1), I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4), F64(8), I64(8), U64(8);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Whether align4j reads this type as float values. */
    public boolean isReadable() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Whether align4j writes this type. */
    public boolean isWritable() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The safetensors header name, or null when it is not one. */
    public static DType fromHeader(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }

    /** The {@code torch_dtype} spelling of config.json ("float32", "bfloat16", …). */
    public String torchName() {
        return switch (this) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            case F64 -> "float64";
            default -> name().toLowerCase(Locale.ROOT);
        };
    }

    /** The writable type for a {@code torch_dtype} / CLI spelling, or null. */
    public static DType fromTorchName(String name) {
        if (name == null) return null;
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "float32", "fp32", "f32", "float" -> F32;
            case "float16", "fp16", "f16", "half" -> F16;
            case "bfloat16", "bf16" -> BF16;
            default -> null;
        };
    }

    /** bfloat16 is the upper half of an IEEE float32 ({@link Bf16#widen(short)}). */
    public static float bf16ToFloat(short bits) {
        return Bf16.widen(bits);
    }

    /**
     * Rounds to the nearest bfloat16, ties to even (as torch's {@code round_to_nearest_even} in
     * c10/util/BFloat16.h); NaN stays a quiet NaN with its sign ({@link Bf16#round(float)}).
     */
    public static short floatToBf16(float f) {
        return Bf16.round(f);
    }

    /** IEEE binary16 → float (exact). */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** float → IEEE binary16, round to nearest even (JDK {@link Float#floatToFloat16}). */
    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }
}
