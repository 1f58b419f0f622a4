package align4j.tensor;

/**
 * RoPE frequency scaling as HF's {@code rope_scaling}: {@code linear} divides every frequency by
 * factor; {@code llama3} rescales by wavelength band (HF modeling_rope_utils
 * {@code _compute_llama3_parameters}). A null RopeScaling means plain RoPE.
 */
public record RopeScaling(String type, float factor, float lowFreqFactor, float highFreqFactor,
                          int originalMaxPositions) {}
