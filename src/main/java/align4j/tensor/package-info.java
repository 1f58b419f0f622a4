/**
 * Kernels on {@code float[]} with explicit offsets: the matrix products (forward, dX, dW), attention, norms,
 * activations, RoPE, softmax and log-softmax, {@link align4j.tensor.Parallel} and the process's peak memory
 * ({@link align4j.tensor.RssProbe}). Imports no other align4j package: nothing here knows about models. Each
 * fast kernel names its plain twin in the tests; results are bit-identical for a given thread count
 * (docs/DESIGN.md#determinism).
 */
package align4j.tensor;
