package align4j.io;

import align4j.model.ModelConfig;
import align4j.tensor.Tensor;
import java.util.Map;

/** A Hugging Face model folder read into canonical tensors (see {@link HfNames}), with its on-disk layout. */
public record LoadedModel(ModelConfig config, Map<String, Tensor> tensors, HfLayout layout) {}
