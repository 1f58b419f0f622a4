package align4j.model;

import align4j.InputException;
import java.util.List;

/**
 * A LoRA adapter's hyper-parameters with PEFT's names ({@code LoraConfig}: r, lora_alpha, lora_dropout,
 * target_modules). Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", eq. 3:
 * h = W₀x + (α/r)·B·A·x, with A ∈ ℝ^{r×in} and B ∈ ℝ^{out×r}.
 *
 * @param targetModules PEFT's target_modules: module names matched as a name or a dotted suffix of the
 *                      module's path ("q_proj", "attn.c_proj"), or the single entry "all-linear" (every
 *                      linear layer but the LM head), or null for PEFT's default for the model type
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules) {
    public LoraConfig {
        if (r < 1) throw new InputException("lora r must be ≥ 1, got " + r);
        if (!(alpha > 0)) throw new InputException("lora_alpha must be > 0, got " + alpha);
        if (!(dropout >= 0 && dropout < 1)) throw new InputException("lora_dropout must be in [0, 1), got " + dropout);
        targetModules = targetModules == null || targetModules.isEmpty() ? null : List.copyOf(targetModules);
    }

    /** PEFT's scaling without rsLoRA: lora_alpha / r. */
    public double scale() {
        return alpha / r;
    }
}
