package align4j.tensor;

import java.util.Arrays;

/**
 * A named parameter: row-major float data, its shape, and (once it is trained) its gradient.
 * The gradient is allocated only for trainable tensors, so frozen weights cost no extra memory.
 */
public final class Tensor {
    public final String name;
    public final int[] shape;
    public final float[] data;
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
        return data.length;
    }

    /** Allocates (or clears) the gradient. */
    public float[] zeroGrad() {
        if (grad == null) grad = new float[data.length];
        else Arrays.fill(grad, 0f);
        return grad;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
