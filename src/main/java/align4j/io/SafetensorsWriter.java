package align4j.io;

import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes a {@code .safetensors} file atomically: header {@code {"__metadata__": {...}, name: {dtype,
 * shape, data_offsets}}} padded with spaces to a multiple of 8 bytes (so that data is aligned, as the
 * reference implementation does), then each tensor's little-endian bytes in the order given.
 * F16 and BF16 are rounded to nearest, ties to even.
 */
public final class SafetensorsWriter {
    private static final int CHUNK = 1 << 16;

    private SafetensorsWriter() {}

    /** One tensor to write; values are produced only when the writer reaches it, to bound memory. */
    public record Entry(String name, DType dtype, int[] shape, Supplier<float[]> values) {
        public long bytes() {
            return Tensor.numel(shape) * dtype.bytes;
        }
    }

    /** Writes tensors in map order, all as one dtype, with metadata {"format": "pt"}. */
    public static long write(Path file, Map<String, Tensor> tensors, DType dtype) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            entries.add(new Entry(e.getKey(), dtype, t.shape, () -> t.data));
        }
        return write(file, entries, Map.of("format", "pt"));
    }

    /** Writes the entries in order; returns the size of the data region in bytes. */
    public static long write(Path file, List<Entry> entries, Map<String, String> metadata) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Entry e : entries) {
            if (e.name().equals("__metadata__") || !seen.add(e.name())) {
                throw new IllegalArgumentException(file + ": tensor name '" + e.name() + "' is reserved or repeated");
            }
            if (!e.dtype().isWritable()) {
                throw new IllegalArgumentException(file + ": tensor '" + e.name() + "': align4j writes F32, F16 or BF16, not "
                        + e.dtype());
            }
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (int d : e.shape()) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + e.bytes());
            offset += e.bytes();
        }
        byte[] text = json.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(text, padded);
        Arrays.fill(head, text.length, padded, (byte) ' ');
        long dataBytes = offset;
        AtomicWrite.write(file, ch -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
            AtomicWrite.writeFully(ch, prefix);
            AtomicWrite.writeFully(ch, ByteBuffer.wrap(head));
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) writeValues(ch, buf, e);
        });
        return dataBytes;
    }

    private static void writeValues(FileChannel ch, ByteBuffer buf, Entry e) throws IOException {
        float[] v = e.values().get();
        if (v.length != Tensor.numel(e.shape())) {
            throw new IllegalArgumentException("tensor '" + e.name() + "': shape " + Arrays.toString(e.shape())
                    + " needs " + Tensor.numel(e.shape()) + " values, got " + v.length);
        }
        short[] half = e.dtype() == DType.F32 ? null : new short[CHUNK];
        for (int i = 0; i < v.length; i += CHUNK) {
            int n = Math.min(CHUNK, v.length - i);
            buf.clear();
            switch (e.dtype()) {
                case F32 -> {
                    buf.asFloatBuffer().put(v, i, n);
                    buf.limit(4 * n);
                }
                case BF16, F16 -> {
                    boolean bf16 = e.dtype() == DType.BF16;
                    for (int j = 0; j < n; j++) half[j] = bf16 ? DType.floatToBf16(v[i + j]) : DType.floatToF16(v[i + j]);
                    buf.asShortBuffer().put(half, 0, n);
                    buf.limit(2 * n);
                }
                default -> throw new IllegalStateException(e.dtype().name());
            }
            AtomicWrite.writeFully(ch, buf);
        }
    }
}
