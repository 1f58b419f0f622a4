package align4j.model;

/**
 * Keys and values of every layer for a fixed number of sequence slots, for incremental decoding with
 * {@link Transformer#forwardCached}: slot s holds, per layer, the rotated keys and the values of its
 * first {@link #length(int)} positions, row-major [position, kvHeads·D]. A slot is reused for the next
 * sequence after {@link #reset}; its arrays grow (doubling) when a sequence outgrows them.
 *
 * <p>Also holds the step's activation buffers (sized for the rows of the largest step so far), so a
 * decoding loop allocates nothing per token once warm.
 */
public final class KvCache {
    final ModelConfig cfg;
    final int kvDim;
    /** [slot][layer][position·kvDim + i]. */
    final float[][][] keys, values;
    final int[] length;

    // one step's rows: activations, and per row its slot's cache arrays and visible length
    int rows;
    float[] res = new float[0], ln = new float[0], mean = new float[0], rstd = new float[0], qkv = new float[0],
            att = new float[0], mid = new float[0], up = new float[0], act = new float[0], tmp = new float[0],
            hidden = new float[0];
    /** Qwen3's q/k norms ({@link QkNorm}): the heads before the norm, their rstd, the normalised heads; empty otherwise. */
    float[] qkIn = new float[0], qkRstd = new float[0], qkTmp = new float[0];
    int[] positions = new int[0], visible = new int[0];
    float[][] rowKeys = new float[0][], rowValues = new float[0][];

    public KvCache(ModelConfig cfg, int slots) {
        this.cfg = cfg;
        this.kvDim = cfg.kvHeads() * cfg.headDim();
        keys = new float[slots][cfg.layers()][0];
        values = new float[slots][cfg.layers()][0];
        length = new int[slots];
    }

    public int slots() {
        return length.length;
    }

    /** Positions cached for a slot: the next token of that sequence goes at this position. */
    public int length(int slot) {
        return length[slot];
    }

    /** Empties a slot for a new sequence (its arrays are kept for reuse). */
    public void reset(int slot) {
        length[slot] = 0;
    }

    /** Makes room for positions [0, n) of a slot in every layer. */
    void reserve(int slot, int n) {
        if (keys[slot][0].length >= n * kvDim) return;
        int cap = Math.max(n, keys[slot][0].length / Math.max(1, kvDim) * 2);
        for (int l = 0; l < cfg.layers(); l++) {
            keys[slot][l] = java.util.Arrays.copyOf(keys[slot][l], cap * kvDim);
            values[slot][l] = java.util.Arrays.copyOf(values[slot][l], cap * kvDim);
        }
    }

    /** Sizes the step buffers for n rows. */
    void ensureRows(int n) {
        rows = n;
        if (positions.length >= n) return;
        int r = Math.max(n, positions.length * 5 / 4);
        int c = cfg.hidden(), hd = cfg.heads() * cfg.headDim();
        res = new float[r * c];
        ln = new float[r * c];
        mean = new float[r];
        rstd = new float[r];
        qkv = new float[r * cfg.qkvDim()];
        att = new float[r * hd];
        mid = new float[r * c];
        up = new float[r * cfg.upDim()];
        act = new float[r * cfg.intermediate()];
        tmp = new float[r * c];
        hidden = new float[r * c];
        if (cfg.qkNorm()) {
            qkIn = new float[r * hd];
            qkRstd = new float[r * cfg.heads()];
            qkTmp = new float[r * hd];
        }
        positions = new int[r];
        visible = new int[r];
        rowKeys = new float[r][];
        rowValues = new float[r][];
    }
}
