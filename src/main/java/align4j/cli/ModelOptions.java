package align4j.cli;

import align4j.InputException;
import align4j.api.ModelSettings;
import align4j.api.Policy;
import align4j.io.HubCache;
import align4j.model.LoraConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How a training command holds the policy: TRL's ModelConfig PEFT flags (--use-peft, --lora-*), HF's
 * --gradient-checkpointing, and --weights-dtype for the frozen weights. Mixed into training commands.
 */
final class ModelOptions {
    private static final ModelSettings DEFAULTS = ModelSettings.defaults();

    @Option(names = "--use-peft", arity = "0..1", fallbackValue = "true",
            description = "Train LoRA adapters (PEFT) instead of every weight; the reference is the base with adapters off.")
    boolean usePeft = DEFAULTS.usePeft();
    @Option(names = "--lora-r", description = "LoRA rank r (default ${DEFAULT-VALUE}, TRL's).")
    int loraR = DEFAULTS.lora().r();
    @Option(names = "--lora-alpha", description = "LoRA alpha; the update is scaled by alpha/r (default ${DEFAULT-VALUE}, TRL's).")
    double loraAlpha = DEFAULTS.lora().alpha();
    @Option(names = "--lora-dropout", description = "Dropout on the adapters' input, seeded by --seed (default ${DEFAULT-VALUE}, PEFT's).")
    double loraDropout = DEFAULTS.lora().dropout();
    @Option(names = "--lora-target-modules", split = ",", arity = "1..*", paramLabel = "NAME",
            description = "Modules to adapt, PEFT's names (q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj; GPT-2: c_attn,c_proj,c_fc) or all-linear (default: PEFT's for the model type: q_proj,v_proj or c_attn).")
    List<String> loraTargetModules;
    @Option(names = "--gradient-checkpointing", arity = "0..1", fallbackValue = "true",
            description = "Keep only each block's input in forward and recompute the block in backward (less memory, ~1/3 more compute).")
    boolean gradientCheckpointing = DEFAULTS.gradientCheckpointing();
    @Option(names = "--weights-dtype", defaultValue = "fp32", paramLabel = "fp32|bf16",
            description = "Hold frozen weights as bf16 in memory (computed in FP32); needs --use-peft (default ${DEFAULT-VALUE}).")
    String weightsDtype;
    @Option(names = {"--model-revision", "--revision"}, paramLabel = "REV",
            description = "With --model ORG/NAME (a model in the local Hugging Face cache): the branch, tag or commit to use (default: main).")
    String modelRevision;

    ModelSettings settings() {
        return new ModelSettings(usePeft, new LoraConfig(loraR, loraAlpha, loraDropout, loraTargetModules), gradientCheckpointing, bf16());
    }

    /**
     * The policy --model names (a model or PEFT adapter folder, or ORG/NAME in the Hugging Face cache at
     * --model-revision), held as these flags ask; tokenizer: --tokenizer or null.
     */
    Policy policy(Path model, Path tokenizer, long seed) throws IOException {
        return Policy.load(HubCache.resolve(model, modelRevision), settings(), tokenizer, seed);
    }

    boolean bf16() {
        return switch (weightsDtype) {
            case "fp32", "float32" -> false;
            case "bf16", "bfloat16" -> true;
            default -> throw new InputException("--weights-dtype must be fp32 or bf16, got '" + weightsDtype + "'");
        };
    }
}
