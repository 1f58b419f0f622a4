package align4j.model;

import align4j.tensor.Parallel;
import align4j.tensor.RmsNorm;
import align4j.tensor.Tensor;

/**
 * Qwen3's q_norm and k_norm (transformers models/qwen3/modeling_qwen3.py, Qwen3Attention.forward:
 * {@code q_norm(q_proj(x).view(..., head_dim))}, the same for k, then RoPE): an RMSNorm over each head's D
 * values, one weight [D] shared by the query heads and one by the key heads, applied in place to the q and k
 * heads of fused qkv rows [t, (H + 2·KV)·D] (v is not normalised). The heads are gathered into contiguous
 * [t·H, D] and [t·KV, D] blocks so that {@link RmsNorm} does the math; the gathered inputs and their rstd are
 * what backward needs.
 */
final class QkNorm {
    private QkNorm() {}

    /**
     * Normalises the q heads (weight qW) and k heads (weight kW) of qkv in place. qIn [t·H·D], kIn [t·KV·D],
     * qRstd [t·H] and kRstd [t·KV] receive what backward needs (for inference, qIn and kIn, and qRstd and
     * kRstd, may be the same arrays); tmp holds at least t·H·D floats.
     */
    static void forward(float[] qkv, float[] qIn, float[] qRstd, float[] kIn, float[] kRstd, float[] tmp,
                        Tensor qW, Tensor kW, int t, int h, int kv, int d, float eps) {
        int row = (h + 2 * kv) * d;
        headsForward(qkv, 0, qIn, qRstd, tmp, qW, t, h, d, row, eps);
        headsForward(qkv, h * d, kIn, kRstd, tmp, kW, t, kv, d, row, eps);
    }

    /**
     * Backward of {@link #forward}: dQkv's q and k heads hold ∂L/∂(normalised heads) on entry and ∂L/∂(heads
     * before the norm) on return (its v part is left alone); trainable qW, kW gain their gradients. dOut and
     * dIn are scratch of at least t·H·D floats.
     */
    static void backward(float[] dQkv, float[] qIn, float[] qRstd, float[] kIn, float[] kRstd, float[] dOut,
                         float[] dIn, Tensor qW, Tensor kW, int t, int h, int kv, int d) {
        int row = (h + 2 * kv) * d;
        headsBackward(dQkv, 0, qIn, qRstd, dOut, dIn, qW, t, h, d, row);
        headsBackward(dQkv, h * d, kIn, kRstd, dOut, dIn, kW, t, kv, d, row);
    }

    /** The n heads at column off of each qkv row: gathered into in, normalised into tmp, written back. */
    private static void headsForward(float[] qkv, int off, float[] in, float[] rstd, float[] tmp, Tensor w,
                                     int t, int n, int d, int row, float eps) {
        gather(in, qkv, off, row, n * d, t);
        RmsNorm.forward(tmp, rstd, in, w.data, t * n, d, eps);
        scatter(qkv, off, row, tmp, n * d, t);
    }

    private static void headsBackward(float[] dQkv, int off, float[] in, float[] rstd, float[] dOut, float[] dIn,
                                      Tensor w, int t, int n, int d, int row) {
        gather(dOut, dQkv, off, row, n * d, t);
        Transformer.zero(dIn, t * n * d);
        RmsNorm.backward(dIn, w.grad, dOut, in, w.data, rstd, t * n, d);
        scatter(dQkv, off, row, dIn, n * d, t);
    }

    /** dst[i·w …] = src[i·row + off …], w floats for each of t rows. */
    private static void gather(float[] dst, float[] src, int off, int row, int w, int t) {
        Parallel.forRange(t, (i0, i1) -> {
            for (int i = i0; i < i1; i++) System.arraycopy(src, i * row + off, dst, i * w, w);
        });
    }

    /** dst[i·row + off …] = src[i·w …], w floats for each of t rows. */
    private static void scatter(float[] dst, int off, int row, float[] src, int w, int t) {
        Parallel.forRange(t, (i0, i1) -> {
            for (int i = i0; i < i1; i++) System.arraycopy(src, i * w, dst, i * row + off, w);
        });
    }
}
