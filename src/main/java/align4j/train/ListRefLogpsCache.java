package align4j.train;

import align4j.data.Pairs;
import align4j.data.RankedLists;
import align4j.io.AtomicWrite;
import align4j.model.Transformer;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The reference cache of {@link RefLogpsCache} for rankings (docs/DESIGN.md#reference-cache): every completion's
 * summed reference log-prob, computed once and kept in {@code ref_cache/ref_list_logps-KEY.bin} beside the pair
 * caches (whose files and format are unchanged), keyed by the pair cache's hash of the reference weights and a
 * SHA-256 of every list's token ids.
 */
public final class ListRefLogpsCache {
    private static final int MAGIC = 0x414C4C4C; // "ALLL"

    private ListRefLogpsCache() {}

    /** Loads the cached log-probs for (reference, lists) from dir, or computes and stores them. */
    public static double[][] get(Path dir, Transformer reference, RankedLists lists, int batchLists) throws IOException {
        String key = key(reference, lists);
        Path file = dir.resolve("ref_list_logps-" + key.substring(0, 24) + ".bin");
        if (Files.isRegularFile(file)) {
            double[][] r = read(file, key, lists);
            if (r != null) return r;
        }
        double[][] r = ListLogps.compute(reference, lists, batchLists, 16384, null);
        Files.createDirectories(dir);
        AtomicWrite.write(file, ch -> {
            DataOutputStream d = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            d.writeInt(MAGIC);
            d.writeUTF(key);
            d.writeInt(r.length);
            for (double[] list : r) {
                d.writeInt(list.length);
                for (double v : list) d.writeDouble(v);
            }
            d.flush();
        });
        return r;
    }

    private static double[][] read(Path file, String key, RankedLists lists) throws IOException {
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
            if (d.readInt() != MAGIC || !d.readUTF().equals(key) || d.readInt() != lists.size()) return null;
            double[][] out = new double[lists.size()][];
            for (int i = 0; i < out.length; i++) {
                int k = d.readInt();
                if (k != lists.completions()[i].length) return null;
                out[i] = new double[k];
                for (int j = 0; j < k; j++) out[i][j] = d.readDouble();
            }
            return out;
        }
    }

    /** SHA-256 of the reference weights' key (as the pair cache hashes them) and every list's prompt and completion ids. */
    static String key(Transformer reference, RankedLists lists) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String weights = RefLogpsCache.key(reference, new Pairs(new int[0][], new int[0][], new int[0][], new String[0]));
        md.update(("lists:" + weights).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < lists.size(); i++) {
            md.update(ints(new int[] {lists.completions()[i].length}));
            md.update(ints(new int[] {lists.prompts()[i].length}));
            md.update(ints(lists.prompts()[i]));
            for (int[] c : lists.completions()[i]) {
                md.update(ints(new int[] {c.length}));
                md.update(ints(c));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static byte[] ints(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        b.asIntBuffer().put(v);
        return b.array();
    }
}
