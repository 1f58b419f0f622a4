package align4j.tensor;

import java.util.Arrays;

/**
 * A named parameter: row-major float data, its shape, and (once it is trained) its gradient.
 * The gradient is allocated only for trainable tensors, so frozen weights cost no extra memory.
 * A frozen tensor may instead hold its values as bfloat16 ({@link #toBf16}, {@code --weights-dtype bf16}):
 * then {@code data} is null and {@code bf16} holds the bits; the kernels that read weights
 * ({@link MatMul}, {@link Embedding}) widen them to FP32 as they go.
 */
public final class Tensor {
    public final String name;
    public final int[] shape;
    /** FP32 values; null while the tensor is held as bfloat16. */
    public float[] data;
    /** bfloat16 bits (see {@link Bf16}) when the tensor is held that way, else null. */
    public short[] bf16;
    public float[] grad;

    public Tensor(String name, int[] shape, float[] data) {
        if (data.length != numel(shape)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs "
                    + numel(shape) + " values, got " + data.length);
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
    }

    public Tensor(String name, int... shape) {
        this(name, shape, new float[Math.toIntExact(numel(shape))]);
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public int size() {
        return data != null ? data.length : bf16.length;
    }

    /**
     * Rounds the values to bfloat16 and keeps only those (half the memory); the FP32 array is dropped.
     * Only frozen tensors can be held so: a trainable one needs FP32 for its updates.
     */
    public void toBf16() {
        if (isTrainable()) throw new IllegalStateException(name + " is trainable; only frozen tensors are held as bf16");
        if (bf16 != null) return;
        bf16 = Bf16.round(data);
        data = null;
    }

    /** dst[to .. to+n) = values [from .. from+n), widened when held as bfloat16. */
    public void read(int from, float[] dst, int to, int n) {
        if (data != null) System.arraycopy(data, from, dst, to, n);
        else Bf16.widen(bf16, from, dst, to, n);
    }

    /** Whether this tensor trains: it has a gradient (given by {@link #zeroGrad}) that AdamW reads. */
    public boolean isTrainable() {
        return grad != null;
    }

    /** Stops training this tensor: drops its gradient (no memory for it, AdamW and backward skip it). */
    public void freeze() {
        grad = null;
    }

    /** Makes the tensor trainable: allocates (or clears) the gradient. */
    public float[] zeroGrad() {
        if (bf16 != null) throw new IllegalStateException(name + " is held as bf16 and cannot be trained");
        if (grad == null) grad = new float[data.length];
        else Arrays.fill(grad, 0f);
        return grad;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
