package align4j.api;

import align4j.InputException;
import align4j.io.PeftAdapter;
import align4j.model.Lora;
import align4j.model.Transformer;

/** How a job holds a transformer it trains ({@link ModelSettings}): LoRA adapters or not, checkpointing, bf16 frozen weights. */
final class Adapters {
    private Adapters() {}

    /**
     * Attaches the adapters of a PEFT folder (to continue training them; null for none) or, when settings ask for PEFT,
     * fresh ones drawn with seed; turns on checkpointing and bf16 frozen weights as asked. Returns the adapters or null.
     */
    static Lora attach(Transformer model, PeftAdapter.Loaded adapter, ModelSettings settings, long seed) {
        Lora lora = null;
        if (adapter != null) {
            lora = PeftAdapter.read(adapter, model.cfg, seed);
            System.err.println("adapter: continuing " + adapter.dir() + " (r " + lora.config.r() + ", lora_alpha " + lora.config.alpha()
                    + ", lora_dropout " + lora.config.dropout() + ", target_modules " + Lora.resolvedTargets(model.cfg, lora.config)
                    + ", from its adapter_config.json)");
        } else if (settings.usePeft()) {
            try {
                lora = Lora.create(model.cfg, settings.lora(), seed);
            } catch (IllegalArgumentException e) {
                throw new InputException("--lora-*: " + e.getMessage());
            }
        }
        if (lora != null) {
            model.setLora(lora);
        } else if (settings.bf16Weights()) {
            throw new InputException("--weights-dtype bf16 holds frozen weights in bf16; without --use-peft every weight trains");
        }
        model.setGradientCheckpointing(settings.gradientCheckpointing());
        if (settings.bf16Weights()) model.holdFrozenWeightsAsBf16();
        return lora;
    }
}
