package align4j.train;

import align4j.data.Pairs;
import align4j.io.AtomicWrite;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * Reference log-probs computed once and kept on disk (docs/DESIGN.md#reference-cache), keyed
 * by a SHA-256 of the reference weights and of the tokenized pairs, so training holds one model and a
 * rerun or a resume reads the file instead of recomputing it.
 */
public final class RefLogpsCache {
    private static final int MAGIC = 0x414C524C; // "ALRL"

    private RefLogpsCache() {}

    /** Loads the cached log-probs for (reference, pairs) from dir, or computes and stores them. */
    public static PairLogps.Result get(Path dir, Transformer reference, Pairs pairs, int batchPairs, IntConsumer progress)
            throws IOException {
        return get(dir, reference, pairs, batchPairs, 1.0, progress);
    }

    /** As above, the sums weighted by LD-DPO's ldAlpha, which is part of the key when it is not 1. */
    public static PairLogps.Result get(Path dir, Transformer reference, Pairs pairs, int batchPairs, double ldAlpha,
                                       IntConsumer progress) throws IOException {
        String key = key(reference, pairs, ldAlpha);
        Path file = dir.resolve("ref_logps-" + key.substring(0, 24) + ".bin");
        if (Files.isRegularFile(file)) {
            PairLogps.Result r = read(file, key, pairs.size());
            if (r != null) return r;
        }
        PairLogps.Result r = PairLogps.compute(reference, pairs.prompts(), pairs.chosen(), pairs.rejected(),
                batchPairs, 16384, ldAlpha, progress);
        Files.createDirectories(dir);
        AtomicWrite.write(file, ch -> {
            DataOutputStream d = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            d.writeInt(MAGIC);
            d.writeUTF(key);
            d.writeInt(pairs.size());
            for (int i = 0; i < pairs.size(); i++) {
                d.writeDouble(r.chosen()[i]);
                d.writeDouble(r.rejected()[i]);
            }
            d.flush();
        });
        return r;
    }

    private static PairLogps.Result read(Path file, String key, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
            if (d.readInt() != MAGIC || !d.readUTF().equals(key) || d.readInt() != n) return null;
            double[] c = new double[n], r = new double[n];
            for (int i = 0; i < n; i++) {
                c[i] = d.readDouble();
                r[i] = d.readDouble();
            }
            return new PairLogps.Result(c, r);
        }
    }

    /** SHA-256 over every reference tensor (by name, shape and float bits) and every token id of the pairs. */
    static String key(Transformer reference, Pairs pairs) {
        return key(reference, pairs, 1.0);
    }

    /** The key of {@link #key(Transformer, Pairs)}, followed by ldAlpha's bits when it is not 1 (earlier caches stay valid). */
    static String key(Transformer reference, Pairs pairs, double ldAlpha) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : new TreeMap<>(reference.parameterMap()).values()) {
            md.update(t.name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int d : t.shape) md.update(ByteBuffer.allocate(4).putInt(d).array());
            float[] chunk = new float[buf.capacity() / 4];
            for (int i = 0; i < t.size(); ) {
                buf.clear();
                int m = Math.min(t.size() - i, chunk.length);
                t.read(i, chunk, 0, m); // bf16-held weights hash as their widened values
                buf.asFloatBuffer().put(chunk, 0, m);
                md.update(buf.array(), 0, m * 4);
                i += m;
            }
        }
        for (int i = 0; i < pairs.size(); i++) {
            for (int[] ids : new int[][] {pairs.prompts()[i], pairs.chosen()[i], pairs.rejected()[i]}) {
                buf.clear();
                buf.putInt(ids.length);
                md.update(buf.array(), 0, 4);
                for (int j = 0; j < ids.length; ) {
                    buf.clear();
                    int m = Math.min(ids.length - j, buf.capacity() / 4);
                    buf.asIntBuffer().put(ids, j, m);
                    md.update(buf.array(), 0, m * 4);
                    j += m;
                }
            }
        }
        if (ldAlpha != 1.0) md.update(ByteBuffer.allocate(8).putDouble(ldAlpha).array());
        return HexFormat.of().formatHex(md.digest());
    }
}
