package align4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void headerIsSpacePaddedToEightBytesWithPtMetadataAndExactOffsets() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", new Tensor("w", new int[] {2, 2}, new float[] {1f, -2f, 0.5f, 3f}));
        t.put("b", new Tensor("b", new int[] {1}, new float[] {0.25f}));
        Path p = dir.resolve("x.safetensors");
        SafetensorsWriter.write(p, t, DType.F32);

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        long n = bytes.getLong(0);
        assertEquals(0, n % 8);
        String header = new String(bytes.array(), 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        assertTrue(header.stripTrailing().endsWith("}"));
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        JsonNode h = new ObjectMapper().readTree(header);
        assertEquals("pt", h.path("__metadata__").path("format").asText());
        assertEquals("[0,16]", h.path("w").path("data_offsets").toString());
        assertEquals("[16,20]", h.path("b").path("data_offsets").toString());
        assertEquals("F32", h.path("w").path("dtype").asText());
        assertEquals(8 + n + 20, bytes.capacity());
        assertEquals(-2f, bytes.getFloat((int) (8 + n + 4)));
        assertEquals(0.25f, bytes.getFloat((int) (8 + n + 16)));
    }

    @Test
    void narrowedValuesReadBackAsTheirRoundedFloats() throws IOException {
        float[] v = {1f + 0x1p-8f, 3.14159f, -1e-5f, 65504f, 1e20f};
        for (DType d : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            Path p = dir.resolve(d + ".safetensors");
            SafetensorsWriter.write(p, Map.of("v", new Tensor("v", new int[] {5}, v)), d);
            float[] expected = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                expected[i] = switch (d) {
                    case BF16 -> DType.bf16ToFloat(DType.floatToBf16(v[i]));
                    case F16 -> DType.f16ToFloat(DType.floatToF16(v[i]));
                    default -> v[i];
                };
            }
            try (SafetensorsReader r = SafetensorsReader.open(p)) {
                assertEquals(d, r.info("v").dtype());
                assertArrayEquals(expected, r.read("v").data);
            }
        }
    }

    @Test
    void roundTripIsBitIdenticalForRepresentableValuesAcrossChunks() throws IOException {
        int n = 70_001;
        float[] v = new float[n];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < n; i++) v[i] = DType.bf16ToFloat(DType.floatToBf16((float) rnd.nextGaussian()));
        for (DType d : new DType[] {DType.F32, DType.BF16}) {
            Path p = dir.resolve("rt" + d + ".safetensors");
            SafetensorsWriter.write(p, Map.of("v", new Tensor("v", new int[] {n}, v)), d);
            try (SafetensorsReader r = SafetensorsReader.open(p)) {
                assertArrayEquals(v, r.read("v").data);
            }
        }
    }

    @Test
    void replacingAFileLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter.write(p, Map.of("a", new Tensor("a", new int[] {1}, new float[] {1f})), DType.F32);
        SafetensorsWriter.write(p, Map.of("a", new Tensor("a", new int[] {2}, new float[] {2f, 3f})), DType.F32);
        try (SafetensorsReader r = SafetensorsReader.open(p); Stream<Path> files = Files.list(dir)) {
            assertArrayEquals(new float[] {2f, 3f}, r.read("a").data);
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void aFailingWriteKeepsTheOldFileAndCleansUp() throws IOException {
        Path p = dir.resolve("m.safetensors");
        SafetensorsWriter.write(p, Map.of("a", new Tensor("a", new int[] {1}, new float[] {1f})), DType.F32);
        List<SafetensorsWriter.Entry> bad = List.of(new SafetensorsWriter.Entry("a", DType.F32, new int[] {3},
                () -> new float[2]));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(p, bad, Map.of()));
        try (SafetensorsReader r = SafetensorsReader.open(p); Stream<Path> files = Files.list(dir)) {
            assertArrayEquals(new float[] {1f}, r.read("a").data);
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void unwritableDtypesAndRepeatedNamesAreRefused() {
        Path p = dir.resolve("m.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(p,
                List.of(new SafetensorsWriter.Entry("a", DType.I64, new int[] {1}, () -> new float[1])), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(p, List.of(
                new SafetensorsWriter.Entry("a", DType.F32, new int[] {1}, () -> new float[1]),
                new SafetensorsWriter.Entry("a", DType.F32, new int[] {1}, () -> new float[1])), Map.of()));
    }
}
