package align4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files are assembled byte by byte here, independently of SafetensorsWriter. */
class SafetensorsReaderTest {
    @TempDir
    Path dir;

    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    static byte[] le(int bytesPerValue, long... values) {
        ByteBuffer b = ByteBuffer.allocate(bytesPerValue * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesPerValue) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void readsEachFloatDtypeWidenedToFloat() throws IOException {
        byte[] f32 = le(4, Float.floatToIntBits(1.5f), Float.floatToIntBits(-2f), Float.floatToIntBits(1e-3f),
                Float.floatToIntBits(7f), Float.floatToIntBits(0f), Float.floatToIntBits(-0.25f));
        byte[] bf16 = le(2, 0x3fc0, 0xc000, 0x7f80);            // 1.5, -2, +inf
        byte[] f16 = le(2, 0x3e00, 0xc000, 0x0001);             // 1.5, -2, smallest subnormal 2^-24
        byte[] f64 = le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-3.0));
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[24,30]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[30,36]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2,1],\"data_offsets\":[36,52]}}   ";
        Path p = write("m.safetensors", file(header, concat(f32, bf16, f16, f64)));
        try (SafetensorsReader r = SafetensorsReader.open(p)) {
            assertEquals(Map.of("format", "pt"), r.metadata());
            assertEquals(java.util.List.of("a", "b", "c", "d"), java.util.List.copyOf(r.tensors().keySet()));
            Tensor a = r.read("a");
            assertArrayEquals(new int[] {2, 3}, a.shape);
            assertArrayEquals(new float[] {1.5f, -2f, 1e-3f, 7f, 0f, -0.25f}, a.data);
            assertArrayEquals(new float[] {1.5f, -2f, Float.POSITIVE_INFINITY}, r.read("b").data);
            assertArrayEquals(new float[] {1.5f, -2f, 0x1p-24f}, r.read("c").data);
            assertArrayEquals(new float[] {0.1f, -3f}, r.read("d").data);
            float[] into = new float[5];
            r.readInto("b", into, 2);
            assertArrayEquals(new float[] {0, 0, 1.5f, -2f, Float.POSITIVE_INFINITY}, into);
        }
    }

    @Test
    void readsLongTensorsAcrossConversionChunks() throws IOException {
        int n = 20_000; // more than one conversion chunk
        long[] bits = new long[n];
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            bits[i] = DType.floatToBf16(i * 0.5f) & 0xffff;
            expected[i] = DType.bf16ToFloat((short) bits[i]);
        }
        String header = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[0," + 2 * n + "]}}";
        try (SafetensorsReader r = SafetensorsReader.open(write("big.safetensors", file(header, le(2, bits))))) {
            assertArrayEquals(expected, r.read("x").data);
        }
    }

    private ModelFormatException openFails(String header, byte[] data) throws IOException {
        Path p = write("bad.safetensors", file(header, data));
        return assertThrows(ModelFormatException.class, () -> SafetensorsReader.open(p).close());
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }

    @Test
    void headerLengthBeyondTheFileIsRefused() throws IOException {
        byte[] bytes = file("{}", new byte[0]);
        bytes[0] = (byte) 0xff; // header length 255 in a 10-byte file
        Path p = write("short.safetensors", bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsReader.open(p));
        assertMentions(e, "short.safetensors", "header length 255");
    }

    @Test
    void invalidJsonIsReportedWithTheFile() throws IOException {
        assertMentions(openFails("{\"a\": [", new byte[0]), "bad.safetensors", "not valid JSON");
    }

    @Test
    void sizeThatDisagreesWithShapeNamesTheTensor() throws IOException {
        ModelFormatException e = openFails("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}",
                new byte[12]);
        assertMentions(e, "bad.safetensors", "'w'", "12 bytes", "[2, 2]", "16");
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        ModelFormatException e = openFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertMentions(e, "'b'", "overlap", "'a'");
    }

    @Test
    void gapsBetweenTensorsAreRefused() throws IOException {
        ModelFormatException e = openFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
        assertMentions(e, "'b'", "contiguous");
    }

    @Test
    void truncatedDataIsRefused() throws IOException {
        ModelFormatException e = openFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                new byte[10]);
        assertMentions(e, "'a'", "run past", "10 bytes");
    }

    @Test
    void trailingBytesAfterTheLastTensorAreRefused() throws IOException {
        ModelFormatException e = openFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                new byte[6]);
        assertMentions(e, "cover 4 bytes", "holds 6");
    }

    @Test
    void unknownDtypeAndDuplicateNamesAreRefused() throws IOException {
        assertMentions(openFails("{\"a\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "'a'", "unknown dtype");
        assertMentions(openFails("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "Duplicate", "a");
    }

    @Test
    void integerTensorsOpenButReadingThemNamesTensorAndDtype() throws IOException {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        try (SafetensorsReader r = SafetensorsReader.open(write("ints.safetensors", file(header, le(8, 1, 2))))) {
            assertEquals(DType.I64, r.info("ids").dtype());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> r.read("ids"));
            assertMentions(e, "ints.safetensors", "'ids'", "I64");
            assertMentions(assertThrows(ModelFormatException.class, () -> r.read("nope")), "'nope'");
        }
    }
}
