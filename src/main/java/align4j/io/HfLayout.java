package align4j.io;

import align4j.model.ModelConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a model's weights looked on disk, so that {@link HfModel#save} writes them back the same way.
 * The HF names of each canonical tensor follow from the config and {@code prefix} ({@link HfNames});
 * this record keeps what does not: each HF tensor's dtype and shard, and the extra tensors.
 *
 * @param prefix  "" or "transformer." (GPT-2), "model." (Llama family)
 * @param dtype   dtype for tensors not listed in {@code dtypes}, and config.json's torch_dtype
 * @param dtypes  HF tensor name → dtype it had on disk (F64 is kept as F32: align4j writes no F64)
 * @param shards  HF tensor name → shard file; empty when the weights were one model.safetensors
 * @param extras  tensors outside the canonical set that save() restores (GPT-2 mask buffers, a tied
 *                lm_head that the file carried)
 * @param dropped names of other tensors that were in the files and are not written back
 */
public record HfLayout(String prefix, DType dtype, Map<String, DType> dtypes, Map<String, String> shards,
                       List<Extra> extras, List<String> dropped) {

    /** A tensor that save() regenerates from the canonical ones or from its kind. */
    public record Extra(String name, DType dtype, int[] shape, Kind kind) {
        public Extra {
            shape = shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Extra e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                    && kind == e.kind;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, dtype, Arrays.hashCode(shape), kind);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + " " + dtype + " " + kind;
        }
    }

    public enum Kind {
        /** GPT-2 {@code attn.bias}: the causal mask, ones on and below the diagonal of its last two dims. */
        CAUSAL_MASK,
        /** GPT-2 {@code attn.masked_bias}: the constant −1e4. */
        MASKED_BIAS,
        /** {@code lm_head.weight} present although the head is tied: a copy of the embedding. */
        TIED_HEAD
    }

    public HfLayout {
        if (!dtype.isWritable()) throw new IllegalArgumentException("cannot save weights as " + dtype);
        dtypes = Map.copyOf(dtypes);
        shards = Map.copyOf(shards);
        extras = List.copyOf(extras);
        dropped = List.copyOf(dropped);
    }

    /** The layout of a model align4j creates: conventional names, one file, every tensor in dtype. */
    public static HfLayout forNew(ModelConfig config, DType dtype) {
        return new HfLayout(HfNames.defaultPrefix(config), dtype, Map.of(), Map.of(), List.of(), List.of());
    }

    /** The same names and files with every tensor saved as dtype. */
    public HfLayout withDType(DType newDType) {
        List<Extra> retyped = extras.stream().map(e -> new Extra(e.name(), newDType, e.shape(), e.kind())).toList();
        return new HfLayout(prefix, newDType, Map.of(), shards, retyped, dropped);
    }

    /** The dtype an HF tensor is written as. */
    public DType dtypeOf(String hfName) {
        return dtypes.getOrDefault(hfName, dtype);
    }
}
