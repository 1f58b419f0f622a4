package align4j.api;

import align4j.model.Lora;
import java.io.IOException;
import java.nio.file.Path;

/** A model a job trains in place ({@link Policy}, {@link RewardTraining.Model}): saved as a Hugging Face or PEFT folder. */
public interface TrainedModel {
    /** The LoRA adapters that train, or null when every weight does. */
    Lora lora();

    /** A folder {@code transformers} loads (a PEFT adapter folder when adapters trained), with the tokenizer files. */
    void save(Path dir) throws IOException;
}
