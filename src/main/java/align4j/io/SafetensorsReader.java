package align4j.io;

import align4j.model.ModelFormatException;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code .safetensors} file, memory-mapped: an 8-byte little-endian header length N, N bytes of
 * JSON {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}}, then the raw
 * little-endian data, offsets relative to its start (huggingface/safetensors README). The file is
 * never copied onto the heap: each tensor is converted straight from the mapping into its float[].
 * Opening validates the header as the reference implementation does: known dtypes, sizes equal to
 * numel·dtype size, offsets in bounds and the data region covered contiguously without overlap.
 */
public final class SafetensorsReader implements AutoCloseable {
    /** The safetensors reference implementation refuses headers above 100 MB. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK = 8192;

    /** A tensor's header entry; begin and end are byte offsets into the data region. */
    public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public int[] intShape() {
            int[] s = new int[shape.length];
            for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
            return s;
        }
    }

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, Arena arena, MemorySegment data, Map<String, TensorInfo> tensors,
                              Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsReader open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw error(file, "is " + size + " bytes long, too short for a safetensors header");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = all.get(U64_LE, 0);
            if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw error(file, "header length " + Long.toUnsignedString(n) + " does not fit the file of " + size
                        + " bytes (limit " + MAX_HEADER_BYTES + "); the file is truncated or not safetensors");
            }
            byte[] header = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + n);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = parseHeader(file, header, data.byteSize(), metadata);
            return new SafetensorsReader(file, arena, data, tensors, metadata);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path file, byte[] header, long dataBytes,
                                                       Map<String, String> metadata) {
        if (header[0] != '{') throw error(file, "header does not start with '{'; not a safetensors file");
        JsonNode root;
        try {
            ObjectMapper json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = json.readTree(new String(header, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw error(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode obj)) throw error(file, "header is not a JSON object");
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw error(file, "'__metadata__' must be an object of strings");
                v.properties().forEach(m -> metadata.put(m.getKey(), m.getValue().isTextual()
                        ? m.getValue().asText() : m.getValue().toString()));
                continue;
            }
            tensors.put(name, parseEntry(file, name, v));
        }
        checkLayout(file, tensors, dataBytes);
        return Collections.unmodifiableMap(tensors);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode v) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) throw error(file, where + ": entry is not an object");
        JsonNode dt = v.get("dtype");
        DType dtype = dt != null && dt.isTextual() ? DType.fromHeader(dt.asText()) : null;
        if (dtype == null) throw error(file, where + ": unknown dtype " + dt);
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) throw error(file, where + ": 'shape' must be an array of integers");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw error(file, where + ": shape " + sh + " has an invalid dimension " + d);
            }
            shape[i] = d.asLong();
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !isOffset(off.get(0)) || !isOffset(off.get(1))) {
            throw error(file, where + ": 'data_offsets' must be [begin, end] with non-negative integers, got " + off);
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (end < begin) throw error(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        long expected;
        try {
            long numel = 1;
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            expected = Math.multiplyExact(numel, dtype.bytes);
        } catch (ArithmeticException e) {
            throw error(file, where + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw error(file, where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static boolean isOffset(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    /** Tensors must tile the data region exactly: sorted by begin, each starts where the last ended. */
    private static void checkLayout(Path file, Map<String, TensorInfo> tensors, long dataBytes) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        String prev = null;
        for (TensorInfo t : sorted) {
            if (t.end() > dataBytes) {
                throw error(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] run past the data region of " + dataBytes + " bytes (file truncated?)");
            }
            if (t.begin() < pos) {
                throw error(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + prev + "' which ends at " + pos);
            }
            if (t.begin() > pos) {
                throw error(file, "tensor '" + t.name() + "': data_offsets begin at " + t.begin()
                        + " but the previous tensor" + (prev == null ? "s end" : " '" + prev + "' ends") + " at "
                        + pos + "; safetensors data must be contiguous");
            }
            pos = t.end();
            prev = t.name();
        }
        if (pos != dataBytes) {
            throw error(file, "the tensors cover " + pos + " bytes of data but the file holds " + dataBytes
                    + " after the header; the file is damaged");
        }
    }

    public Path file() {
        return file;
    }

    /** Header entries in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw error(file, "has no tensor '" + name + "'");
        return t;
    }

    /** The tensor's values widened to float, with its shape. */
    public Tensor read(String name) {
        TensorInfo t = info(name);
        int[] shape;
        try {
            shape = t.intShape();
        } catch (ArithmeticException e) {
            throw error(file, "tensor '" + name + "': shape " + Arrays.toString(t.shape()) + " is too large");
        }
        float[] values = new float[checkedNumel(t)];
        readInto(name, values, 0);
        return new Tensor(name, shape, values);
    }

    /** Converts the tensor's values into dst[off, off + numel). */
    public void readInto(String name, float[] dst, int off) {
        TensorInfo t = info(name);
        int n = checkedNumel(t);
        if (off < 0 || off + n > dst.length) {
            throw new IllegalArgumentException(name + ": " + n + " values do not fit at " + off + " in " + dst.length);
        }
        long pos = t.begin();
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(data, F32_LE, pos, dst, off, n);
            case BF16, F16 -> {
                short[] buf = new short[Math.min(CHUNK, n)];
                boolean bf16 = t.dtype() == DType.BF16;
                for (int i = 0; i < n; i += buf.length) {
                    int m = Math.min(buf.length, n - i);
                    MemorySegment.copy(data, I16_LE, pos + 2L * i, buf, 0, m);
                    for (int j = 0; j < m; j++) {
                        dst[off + i + j] = bf16 ? DType.bf16ToFloat(buf[j]) : DType.f16ToFloat(buf[j]);
                    }
                }
            }
            case F64 -> {
                double[] buf = new double[Math.min(CHUNK, n)];
                for (int i = 0; i < n; i += buf.length) {
                    int m = Math.min(buf.length, n - i);
                    MemorySegment.copy(data, F64_LE, pos + 8L * i, buf, 0, m);
                    for (int j = 0; j < m; j++) dst[off + i + j] = (float) buf[j];
                }
            }
            default -> throw error(file, "tensor '" + name + "' has dtype " + t.dtype()
                    + "; align4j reads weights stored as F32, F16, BF16 or F64");
        }
    }

    private int checkedNumel(TensorInfo t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw error(file, "tensor '" + t.name() + "' has " + n + " elements, more than one Java array holds");
        }
        return (int) n;
    }

    static ModelFormatException error(Path file, String message) {
        return new ModelFormatException(file + ": " + message);
    }

    /** Unmaps the file; tensors already read stay valid. */
    @Override
    public void close() {
        arena.close();
    }
}
