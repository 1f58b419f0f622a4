package align4j.api;

import align4j.model.LoraConfig;
import java.util.List;

/**
 * How a training job holds its policy, with TRL's ModelConfig and Hugging Face's names: LoRA adapters (PEFT) or
 * every weight, activation checkpointing, and the precision of the frozen weights.
 *
 * @param usePeft               train LoRA adapters instead of every weight (use_peft; default false)
 * @param lora                  the adapters' r, lora_alpha, lora_dropout, target_modules (TRL's 16, 32, PEFT's 0,
 *                              PEFT's modules for the model type)
 * @param gradientCheckpointing keep only each block's input and recompute the block in backward (default false)
 * @param bf16Weights           hold frozen weights as bf16 in memory, computed in FP32; needs adapters (default false)
 */
public record ModelSettings(boolean usePeft, LoraConfig lora, boolean gradientCheckpointing, boolean bf16Weights) {
    public static ModelSettings defaults() {
        return new ModelSettings(false, new LoraConfig(16, 32, 0, null), false, false);
    }

    public ModelSettings withUsePeft(boolean usePeft) {
        return new ModelSettings(usePeft, lora, gradientCheckpointing, bf16Weights);
    }

    public ModelSettings withLora(LoraConfig lora) {
        return new ModelSettings(usePeft, lora, gradientCheckpointing, bf16Weights);
    }

    /** LoRA on with the given rank, alpha and target modules (null: PEFT's defaults for the model type). */
    public ModelSettings withLora(int r, double alpha, List<String> targetModules) {
        return new ModelSettings(true, new LoraConfig(r, alpha, lora.dropout(), targetModules), gradientCheckpointing, bf16Weights);
    }

    public ModelSettings withGradientCheckpointing(boolean gradientCheckpointing) {
        return new ModelSettings(usePeft, lora, gradientCheckpointing, bf16Weights);
    }

    public ModelSettings withBf16Weights(boolean bf16Weights) {
        return new ModelSettings(usePeft, lora, gradientCheckpointing, bf16Weights);
    }
}
