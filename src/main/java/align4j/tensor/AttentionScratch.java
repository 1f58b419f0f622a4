package align4j.tensor;

/**
 * Work arrays of {@link Attention}, kept per calling thread and grown on demand, so a training step
 * allocates them once: the key ranges of each query, transposed key and value tiles, per-query-head dK/dV, and one score row per
 * parallel chunk.
 */
final class AttentionScratch {
    private float[] kt = new float[0], vt = new float[0], dk = new float[0], dv = new float[0];
    private int[] ranges = new int[0];
    private final float[][][] rows = {new float[0][], new float[0][], new float[0][]};

    int[] ranges(int n) {
        if (ranges.length < n) ranges = new int[n];
        return ranges;
    }

    float[] kt(int n) {
        if (kt.length < n) kt = new float[n];
        return kt;
    }

    float[] vt(int n) {
        if (vt.length < n) vt = new float[n];
        return vt;
    }

    float[] dk(int n) {
        if (dk.length < n) dk = new float[n];
        return dk;
    }

    float[] dv(int n) {
        if (dv.length < n) dv = new float[n];
        return dv;
    }

    /** chunks arrays of at least n floats (set 0, 1 or 2). */
    float[][] perChunk(int set, int chunks, int n) {
        float[][] a = rows[set];
        if (a.length < chunks || a[0].length < n) {
            a = new float[Math.max(chunks, a.length)][n];
            rows[set] = a;
        }
        return a;
    }
}
